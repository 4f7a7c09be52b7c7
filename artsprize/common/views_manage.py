from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from artsprize.common.decorators import permission_required
from artsprize.common.forms import AuditFilterForm
from artsprize.common.selectors import audit_events

EVENTS_PER_PAGE = 50


def _state_labels(content_type):
    """The labels of a model's ``state`` codes ("open" → "Open for entries").

    Audit events store state codes; any model with a ``state`` field with choices
    gets its codes shown in the reader's language, without this app importing it.
    """
    model = content_type.model_class()
    if model is None:
        return {}
    try:
        field = model._meta.get_field("state")
    except FieldDoesNotExist:
        return {}
    return dict(field.flatchoices)


def _detail(value):
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, str):
        # Services record moments as ISO 8601 in UTC; staff read Hong Kong time.
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None and timezone.is_aware(moment):
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return value


def _details(data):
    if not isinstance(data, dict):
        return []
    return [(key, _detail(value)) for key, value in sorted(data.items())]


def _rows(events):
    labels_by_type = {}
    rows = []
    for event in events:
        content_type = event.content_type
        if content_type.pk not in labels_by_type:
            labels_by_type[content_type.pk] = _state_labels(content_type)
        labels = labels_by_type[content_type.pk]
        model = content_type.model_class()
        rows.append(
            {
                "event": event,
                "object_type": model._meta.verbose_name
                if model
                else content_type.model,
                "object_key": (
                    f"{content_type.app_label}.{content_type.model}:{event.object_id}"
                ),
                "from_state": labels.get(event.from_state, event.from_state),
                "to_state": labels.get(event.to_state, event.to_state),
                "details": _details(event.data),
            }
        )
    return rows


@permission_required("common.view_audit_log")
def audit_log(request):
    """The audit log, newest first, for one object (``?object=app.model:pk``) and
    one verb (``?verb=state_changed``) when asked."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        events = audit_events().none()
        target = None
        verb = ""
    else:
        filters = form.cleaned_data if form.is_bound else {}
        target = filters.get("object")
        verb = filters.get("verb", "")
        content_type, object_id = target or (None, None)
        events = audit_events(content_type=content_type, object_id=object_id, verb=verb)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "common/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": _rows(page),
            "target": target,
            "query": query.urlencode(),
        },
    )
