from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render
from rules.contrib.views import permission_required

from artsprize.common.models import AuditEvent


@permission_required("common.view_audit_log", raise_exception=True)
def audit_log(request):
    """The audit log, newest first, optionally for one object (``?object=app.model:pk``)."""
    events = AuditEvent.objects.select_related("content_type", "actor")
    target = request.GET.get("object", "")
    app_model, _, object_id = target.partition(":")
    app_label, _, model = app_model.partition(".")
    content_type = None
    if app_label and model and object_id:
        content_type = ContentType.objects.filter(
            app_label=app_label, model=model
        ).first()
        if content_type is not None:
            events = events.filter(content_type=content_type, object_id=object_id)
        else:
            events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "common/audit_log.html",
        {"page": page, "target": target, "content_type": content_type},
    )
