from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from artsprize.accounts.permissions import permission_required
from artsprize.common.forms import AuditFilterForm
from artsprize.common.models import ERASED_ACTOR
from artsprize.common.selectors import audit_events

EVENTS_PER_PAGE = 50


# What the details of an event that are not fields of its object mean, and what
# their recorded codes mean: a label and, where the value is a code, its labels.
DETAILS = {
    "fields": (_("fields"), {}),
    "from": (_("before"), {}),
    "to": (_("after"), {}),
    "mode": (
        _("upload mode"),
        {"multipart": _("in parts"), "single": _("in one piece")},
    ),
    "removed": (
        _("removed"),
        {"totp": _("authenticator app"), "recovery_codes": _("recovery codes")},
    ),
    "team_size": (_("team size"), {}),
    "previous_reason": (_("previous reason"), {}),
    "pics_explained_by": (_("collection statement explained by"), {}),
    "guardian": (_("guardian"), {}),
    "guardian_mail": (_("mail to the guardian"), {"resent": _("sent again")}),
    "file": (_("file"), {}),
    "file_id": (_("file ID"), {}),
    # An export of a round's data (submissions.services.exports).
    "kind": (
        _("export"),
        {
            "entries": _("entries"),
            "entries-with-identity": _("entries with who made them"),
            "files": _("files manifest"),
        },
    ),
    "format": (_("format"), {"csv": "CSV", "xlsx": "XLSX"}),
    "rows": (_("rows"), {}),
    # Judging: panels, invitations, assignments and conflicts, recorded on the
    # stage (people and entries by their IDs).
    "judge": (_("judge (ID)"), {}),
    "entry": (_("entry (ID)"), {}),
    "stage": (_("stage (ID)"), {}),
    "round": (_("round (ID)"), {}),
    "invitation": (_("invitation (ID)"), {}),
    "invited_by": (_("invited by (ID)"), {}),
    "chair": (_("chair (ID)"), {}),
    "reassigned_from": (_("reassigned from judge (ID)"), {}),
    "reassigned_to": (_("reassigned to judge (ID)"), {}),
    "as_chair": (_("as chair"), {}),
    "resent": (_("sent again"), {}),
    "other_address": (_("accepted with another address"), {}),
    "language": (_("language"), {"en": "English", "zh-hant": "繁體中文"}),
    "entries": (_("entries"), {}),
    "judges": (_("judges"), {}),
    "assignments": (_("assignments"), {}),
    "short": (_("entries with fewer judges than asked"), {}),
    "entries_added": (_("entries added"), {}),
    "entries_removed": (_("entries removed"), {}),
    "from_stage": (_("from stage (ID)"), {}),
    "chosen": (_("entries added (IDs)"), {}),
    "dropped": (_("entries removed (IDs)"), {}),
    "reopened": (_("selection opened again"), {}),
    "note": (_("decision note (ID)"), {}),
    "text": (_("text"), {}),
}


def _field(model, name):
    if model is None or not isinstance(name, str):
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _field_label(model, name):
    """A field's name as the reader reads it ("title_en" → "title (English)")."""
    field = _field(model, name)
    if field is None:
        return DETAILS.get(name, (name, {}))[0]
    if field.auto_created and not field.concrete:
        # The other side of a relation: "team_members" → "team members".
        return field.related_model._meta.verbose_name_plural
    return field.verbose_name


def _choices(model, name):
    field = _field(model, name)
    if field is not None and field.choices:
        return dict(field.flatchoices)
    return DETAILS.get(name, (name, {}))[1]


def _state_labels(model, data):
    """The labels of the states an event records ("open" → "Open for entries").

    Audit events store state codes. The states are those of the one field with
    choices the event changed (an entry's ``guardian_state``), else those of the
    model's ``state`` field, else the model's ``audit_state_choices`` (a person's
    roles), so each model gets its codes shown in the reader's language without
    this app importing it.
    """
    if model is None:
        return {}
    changed = data.get("fields") if isinstance(data, dict) else None
    if isinstance(changed, list) and len(changed) == 1 and _choices(model, changed[0]):
        return _choices(model, changed[0])
    if _field(model, "state") is not None:
        return _choices(model, "state")
    return dict(getattr(model, "audit_state_choices", ()))


def _listed(values):
    return pgettext("list separator", ", ").join(map(str, values))


def _detail(model, key, value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "fields" and isinstance(value, list):
        return _listed(_field_label(model, name) for name in value)
    labels = _choices(model, key)
    if isinstance(value, list):
        return _listed(labels.get(item, item) for item in value)
    if isinstance(value, str):
        if value in labels:
            return labels[value]
        # Services record moments as ISO 8601 in UTC; staff read Hong Kong time.
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None and timezone.is_aware(moment):
            return date_format(timezone.localtime(moment), "Y-m-d H:i")
    return value


def _details(model, data):
    """The details of an event as (label, value) pairs, in the reader's language."""
    if not isinstance(data, dict):
        return []
    return [
        (capfirst(_field_label(model, key)), _detail(model, key, value))
        for key, value in sorted(data.items())
    ]


def _actors_with_roles(events):
    """The IDs of the actors of ``events`` who act for the prize (staff, judges,
    caseworkers, admins): one query for a page."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=ids)
        .filter(Q(groups__isnull=False) | Q(is_superuser=True) | Q(is_staff=True))
        .values_list("pk", flat=True)
    )


def _actor(event, with_roles):
    """Who acted, as staff may read it without revealing an entrant: the address
    of someone acting for the prize, "an entrant" for an entrant (their address
    would tie them to their entries), and who else is gone."""
    if event.actor_repr == ERASED_ACTOR:
        return _("a deleted account")
    if event.actor_id is None:
        return event.actor_repr or _("the system")
    if event.actor_id in with_roles:
        return event.actor_repr
    return _("an entrant")


def _rows(events):
    rows = []
    events = list(events)
    with_roles = _actors_with_roles(events)
    for event in events:
        content_type = event.content_type
        model = content_type.model_class()
        labels = _state_labels(model, event.data)
        rows.append(
            {
                "event": event,
                "actor": _actor(event, with_roles),
                "object_type": model._meta.verbose_name
                if model
                else content_type.model,
                "object_key": (
                    f"{content_type.app_label}.{content_type.model}:{event.object_id}"
                ),
                "from_state": labels.get(event.from_state, event.from_state),
                "to_state": labels.get(event.to_state, event.to_state),
                "details": _details(model, event.data),
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
