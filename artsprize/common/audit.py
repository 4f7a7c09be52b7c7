from django.contrib.contenttypes.models import ContentType

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent


def record_event(
    *,
    actor,
    verb,
    obj,
    from_state="",
    to_state="",
    reason="",
    data=None,
):
    """Append one event to the audit log. ``actor`` is None for the system (beat)."""
    return AuditEvent.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        actor_repr=actor.email if actor and actor.is_authenticated else "",
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        data=data or {},
    )


def forget_person(user, *objects):
    """Erase from the audit log the names of a person whose account is deleted:
    their address as the one who acted, and the names of ``user`` and ``objects``
    (their profile) as what was acted on. What happened, and when, stays."""
    AuditEvent.objects.filter(actor_id=user.pk).forget_names(actor=True)
    for obj in (user, *objects):
        AuditEvent.objects.for_object(obj).forget_names(obj=True)


def record_deadline_change(obj, old, new, *, by, reason=""):
    """Audit a closing time changed from ``old`` to ``new`` (a round's
    deadline, a stage's closing time), both kept as ISO 8601."""
    return record_event(
        actor=by,
        verb=AuditVerb.DEADLINE_CHANGED,
        obj=obj,
        reason=reason,
        data={
            "from": old.isoformat() if old else None,
            "to": new.isoformat() if new else None,
        },
    )
