"""What the staff stage page shows of reminders: how many judges have works
left to score, and when they were last reminded (by staff, and by beat)."""

from django import template

from judging.services.reminders import judges_with_work_left

register = template.Library()


@register.simple_tag
def reminder_summary(stage):
    """``waiting``: how many judges of the panel have works left (one query);
    ``manual``, ``before_48h``, ``before_6h``: when each reminder last left."""
    return {
        "waiting": len(judges_with_work_left(stage.pk)),
        "manual": stage.reminded_at,
        "before_48h": stage.reminded_48h_at,
        "before_6h": stage.reminded_6h_at,
    }
