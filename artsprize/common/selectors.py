from artsprize.common.models import AuditEvent


def audit_events(*, content_type=None, object_id=None, verb=None):
    """Audit events newest first, for one object and one verb when given."""
    events = AuditEvent.objects.select_related("content_type").order_by("-at", "-id")
    if content_type is not None:
        events = events.filter(content_type=content_type, object_id=object_id)
    if verb:
        events = events.filter(verb=verb)
    return events


def row_or_none(queryset):
    """The one row ``queryset`` selects (it filters on a unique key), or None.

    ``first()`` would order the rows first, by the model's ordering, which costs
    the query its ORDER BY, sometimes a join, and the compiling of both: nothing a
    single row needs."""
    rows = list(queryset.order_by()[:2])
    if len(rows) > 1:
        raise queryset.model.MultipleObjectsReturned(
            f"{queryset.model.__name__} lookup matched more than one row."
        )
    return rows[0] if rows else None
