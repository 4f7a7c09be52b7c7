from artsprize.common.models import AuditEvent


def audit_events(*, content_type=None, object_id=None, verb=None):
    """Audit events newest first, for one object and one verb when given."""
    events = AuditEvent.objects.select_related("content_type").order_by("-at", "-id")
    if content_type is not None:
        events = events.filter(content_type=content_type, object_id=object_id)
    if verb:
        events = events.filter(verb=verb)
    return events
