"""The one rule of what a conflict of interest does to an assignment, as a query:
an assignment whose judge has a conflict with its entry leaves the judge's
queue, and its score does not count (``judging.rules.is_conflicted`` asks the
same of one assignment)."""

from django.db.models import Exists, OuterRef

from judging.models import Assignment, Conflict


def conflicted(assignment="", /):
    """For a query of assignments: whether the assignment's judge has a
    conflict with its entry (``.exclude(conflicted())`` keeps those that
    count). For a query of another model, ``assignment`` is the path to the
    assignment: ``conflicted("assignment__")`` for scores."""
    return Exists(
        Conflict.objects.filter(
            judge_id=OuterRef(f"{assignment}judge_id"),
            entry_id=OuterRef(f"{assignment}entry_id"),
        )
    )


def counted_judges(stage_id, entry_id):
    """How many judges of a stage score an entry with a score that counts (no
    conflict with it). One query."""
    return (
        Assignment.objects.filter(stage_id=stage_id, entry_id=entry_id)
        .exclude(conflicted())
        .count()
    )
