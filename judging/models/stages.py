import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel
from judging.enums import (
    AssignmentMode,
    StageMode,
    StageOutcome,
    StageState,
    Visibility,
)


def new_seed():
    """A stage's seed: it fixes who scores what, and each judge's order."""
    return secrets.randbelow(2**31)


class Stage(TimeStampedModel):
    """One stage of a round's judging (first round, shortlist, final), with its
    panel, its way of scoring and its own entries."""

    round = models.ForeignKey(
        "submissions.Round",
        on_delete=models.PROTECT,
        related_name="stages",
        verbose_name=_("round"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=120)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_stages",
        verbose_name=_("takes the entries advanced from"),
        help_text=_(
            "Empty for a first stage, which judges the eligible entries of its "
            "categories."
        ),
    )
    outcome = models.CharField(
        _("entries chosen for this stage are"),
        max_length=16,
        choices=StageOutcome.choices,
        default=StageOutcome.SHORTLISTED,
        help_text=_(
            "For a stage that takes the entries advanced from another: what "
            "being chosen for it records for an entry."
        ),
    )
    # When staff closed the choice of the entries advanced to this stage from
    # the one before (``judging.services.advancing``); None while it is open.
    selection_closed_at = models.DateTimeField(
        _("selection of entries closed"), null=True, blank=True
    )
    categories = models.ManyToManyField(
        "submissions.Category",
        related_name="stages",
        verbose_name=_("categories"),
        help_text=_("The categories whose entries this stage judges."),
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=StageMode.choices, default=StageMode.CRITERIA
    )
    ranking_size = models.PositiveSmallIntegerField(
        _("works each judge ranks"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("In a ranking stage, each judge orders their top works."),
    )
    blind = models.BooleanField(
        _("blind"),
        default=True,
        help_text=_("Judges see nothing of who made a work."),
    )
    visibility = models.CharField(
        _("judges see the others' scores"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.AFTER_CLOSE,
    )
    min_judges = models.PositiveSmallIntegerField(
        _("minimum judges per entry"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    assignment_mode = models.CharField(
        _("assignment"),
        max_length=16,
        choices=AssignmentMode.choices,
        default=AssignmentMode.BALANCED,
    )
    judges_per_entry = models.PositiveSmallIntegerField(
        _("judges per entry"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("With balanced assignment: how many judges score each entry."),
    )
    seed = models.PositiveIntegerField(
        _("seed"),
        default=new_seed,
        help_text=_(
            "Fixes who scores which entry and each judge's order: the same seed "
            "gives the same assignment."
        ),
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=StageState.choices,
        default=StageState.SETUP,
        db_index=True,
    )
    # When judges with work left were last reminded: by staff (any number of
    # times, not twice within minutes), and by beat 48 and 6 hours before the
    # stage closes (each once; see ``judging.services.reminders``).
    reminded_at = models.DateTimeField(_("judges last reminded by staff"), null=True)
    reminded_48h_at = models.DateTimeField(
        _("judges reminded 48 hours before"), null=True
    )
    reminded_6h_at = models.DateTimeField(
        _("judges reminded 6 hours before"), null=True
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ("round_id", "position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(opens_at__lt=F("closes_at")),
                name="stage_opens_before_it_closes",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Criterion(models.Model):
    """One thing judges of a weighted-criteria stage score, on its own scale."""

    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("stage"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=120)
    description_en = models.TextField(
        _("description (English)"), max_length=2000, blank=True
    )
    description_zh_hant = models.TextField(
        _("description (Chinese)"), max_length=2000, blank=True
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
    )
    scale_min = models.PositiveSmallIntegerField(
        _("lowest score"), default=1, validators=[MaxValueValidator(99)]
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    half_points = models.BooleanField(_("half points allowed"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ("stage_id", "position", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")),
                name="criterion_scale_goes_up",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0), name="criterion_weight_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")


class PanelMember(models.Model):
    """A judge on a stage's panel; one of them may chair it."""

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="panel", verbose_name=_("stage")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="panel_memberships",
        verbose_name=_("judge"),
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ("stage_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("stage", "judge"), name="one_membership_per_stage"
            ),
            models.UniqueConstraint(
                fields=("stage",),
                condition=Q(is_chair=True),
                name="one_chair_per_stage",
            ),
        ]

    def __str__(self):
        return f"{self.stage_id}: {self.judge_id}"


class StageEntry(models.Model):
    """An entry that a stage judges: the first stage takes the eligible entries
    of its categories; a later stage, those advanced to it."""

    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="stage_entries",
        verbose_name=_("stage"),
    )
    entry = models.ForeignKey(
        "submissions.Entry",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("entry"),
    )
    category = models.ForeignKey(
        "submissions.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )

    class Meta:
        verbose_name = _("entry of a stage")
        verbose_name_plural = _("entries of a stage")
        ordering = ("stage_id", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("stage", "entry"), name="entry_once_per_stage"
            ),
        ]

    def __str__(self):
        return f"{self.stage_id}: {self.entry_id}"


class DecisionNote(models.Model):
    """What a panel decided, as the chair or staff wrote it down during the
    deliberation of a stage. Notes are kept as written: a correction is a
    further note."""

    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        related_name="decision_notes",
        verbose_name=_("stage"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    by_chair = models.BooleanField(_("written by the chair"), default=False)
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision note")
        verbose_name_plural = _("decision notes")
        ordering = ("stage_id", "created_at", "id")

    def __str__(self):
        return f"{self.stage_id}: {self.created_at:%Y-%m-%d %H:%M}"
