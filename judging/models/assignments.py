from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from judging.enums import Vote
from judging.models.stages import Criterion, Stage


class Assignment(models.Model):
    """A judge is to score an entry in a stage. ``position`` is the entry's
    place in that judge's own order of the stage (a seeded shuffle)."""

    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("stage"),
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("judge"),
    )
    entry = models.ForeignKey(
        "submissions.Entry",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("entry"),
    )
    position = models.PositiveIntegerField(_("place in the judge's order"), default=0)
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ("stage_id", "judge_id", "position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("stage", "judge", "entry"), name="assigned_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=("stage", "judge", "position"), name="judge_queue_order"
            ),
            models.Index(fields=("stage", "entry"), name="assignments_of_entry"),
        ]

    def __str__(self):
        return f"{self.stage_id}: {self.judge_id} → {self.entry_id}"


class Conflict(models.Model):
    """A judge may not judge an entry (declared by the judge or set by staff).
    Its assignments leave the judge's queue and their scores do not count.
    Lifting a conflict deletes it; the audit log keeps both."""

    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("judge"),
    )
    entry = models.ForeignKey(
        "submissions.Entry",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("entry"),
    )
    reason = models.TextField(_("reason"), max_length=2000)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=("judge", "entry"), name="one_conflict_per_judge_and_entry"
            ),
        ]

    def __str__(self):
        return f"{self.judge_id} × {self.entry_id}"


class Score(models.Model):
    """A judge's judgement of one assigned entry: the criteria's values, a vote
    or a place in their ranking, by the stage's mode. A draft until
    ``submitted_at``; ``version`` grows with every save, so that a save made
    from an older copy of the form is known."""

    assignment = models.OneToOneField(
        "judging.Assignment",
        on_delete=models.CASCADE,
        related_name="score",
        verbose_name=_("assignment"),
    )
    vote = models.CharField(_("vote"), max_length=8, choices=Vote.choices, blank=True)
    rank = models.PositiveSmallIntegerField(_("place in the ranking"), null=True)
    total = models.DecimalField(
        _("weighted score"), max_digits=7, decimal_places=3, null=True
    )
    comment = models.TextField(_("comment for the panel"), max_length=5000, blank=True)
    private_note = models.TextField(_("private note"), max_length=5000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    saved_at = models.DateTimeField(_("saved"), null=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ("assignment_id",)

    def __str__(self):
        return f"{self.assignment_id}"


class CriterionScore(models.Model):
    score = models.ForeignKey(
        Score,
        on_delete=models.CASCADE,
        related_name="criterion_scores",
        verbose_name=_("score"),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("criterion"),
    )
    value = models.DecimalField(_("value"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ("score_id", "criterion_id")
        constraints = [
            models.UniqueConstraint(
                fields=("score", "criterion"), name="criterion_scored_once"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="criterion_score_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.score_id}: {self.criterion_id} = {self.value}"
