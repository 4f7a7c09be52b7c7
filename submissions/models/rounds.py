import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModel

from artsprize.accounts.rules import is_staff_member
from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel
from submissions.enums import MediaKind, RoundState
from submissions.rules import can_view_round

MB = 1024 * 1024
# Who may see and set up rounds and their categories: visitors see a round that
# has left its draft; staff set them up.
PERMISSIONS = {
    "view": can_view_round,
    "add": is_staff_member,
    "change": is_staff_member,
    "delete": is_staff_member,
}


class Round(TimeStampedModel, RulesModel):
    """An edition of the prize: one call for entries, judged and decided together."""

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    theme_en = models.CharField(_("theme (English)"), max_length=200, blank=True)
    theme_zh_hant = models.CharField(_("theme (Chinese)"), max_length=200, blank=True)
    rules_en = models.TextField(_("rules (English)"), max_length=20000, blank=True)
    rules_zh_hant = models.TextField(_("rules (Chinese)"), max_length=20000, blank=True)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    entry_cap = models.PositiveSmallIntegerField(
        _("entries per entrant"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How many entries one entrant may make in this round."),
    )
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        default=0,
        validators=[MaxValueValidator(120)],
        help_text=_("Age at the closing date. 0 means no minimum."),
    )
    upload_grace_minutes = models.PositiveSmallIntegerField(
        _("grace window for uploads (minutes)"),
        default=60,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_(
            "Uploads of entries submitted before the deadline may finish this many "
            "minutes after it."
        ),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=RoundState.choices,
        default=RoundState.DRAFT,
        db_index=True,
    )
    last_reference_number = models.PositiveIntegerField(
        _("last reference number"),
        default=0,
        editable=False,
        help_text=_("The number of the latest reference code given in this round."),
    )
    screening_released_at = models.DateTimeField(
        _("screening results released"), null=True, blank=True
    )
    is_scheduled = models.BooleanField(
        _("scheduled"),
        default=False,
        help_text=_("A scheduled round opens by itself at its opening time."),
    )
    published_at = models.DateTimeField(
        _("results published"), null=True, blank=True, editable=False
    )
    # Where the public reads the results (the results post), given when they
    # are published: the round's page and the results mails link to it.
    results_url = models.CharField(
        _("address of the results"), max_length=500, blank=True, editable=False
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep the files of entries not shortlisted (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "How many months after the results are published the files of entries "
            "that were not shortlisted are kept; then they are deleted. Empty keeps "
            "them."
        ),
    )

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-year", "-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="round_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=Q(entry_cap__gte=1), name="round_entry_cap_positive"
            ),
        ]
        rules_permissions = PERMISSIONS

    def __str__(self):
        return self.title or f"{self.year}"

    @property
    def title(self):
        return localized(self, "title")

    @property
    def theme(self):
        return localized(self, "theme")

    @property
    def rules(self):
        return localized(self, "rules")

    @property
    def uploads_end_at(self):
        """The end of the grace window after the deadline, until which the uploads
        of entries submitted in time may finish; None without a deadline."""
        if self.closes_at is None:
            return None
        return self.closes_at + datetime.timedelta(minutes=self.upload_grace_minutes)


class Category(TimeStampedModel, RulesModel):
    """A category of a round: what it accepts, from whom, and in what sizes."""

    round = models.ForeignKey(
        Round,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("round"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    name_zh_hant = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    description_en = models.TextField(
        _("description (English)"), max_length=5000, blank=True
    )
    description_zh_hant = models.TextField(
        _("description (Chinese)"), max_length=5000, blank=True
    )
    media_kinds = models.JSONField(_("accepted media"), default=list)
    max_files = models.PositiveSmallIntegerField(
        _("files per entry"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("A series counts as one work of several files."),
    )
    max_image_bytes = models.PositiveBigIntegerField(
        _("largest image"), default=50 * MB
    )
    max_video_bytes = models.PositiveBigIntegerField(
        _("largest video"), default=4096 * MB
    )
    max_audio_bytes = models.PositiveBigIntegerField(
        _("largest audio file"), default=500 * MB
    )
    max_document_bytes = models.PositiveBigIntegerField(
        _("largest document"), default=100 * MB
    )
    min_age = models.PositiveSmallIntegerField(
        _("youngest age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Age at the round's closing date. Empty means no lower limit."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("oldest age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_(
            "Entrants older than this cannot enter, e.g. 17 for under-18s. "
            "Empty means no upper limit."
        ),
    )
    statement_word_limit = models.PositiveSmallIntegerField(
        _("statement word limit"),
        default=300,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text=_("Each Chinese character counts as one word."),
    )
    allows_teams = models.BooleanField(_("team entries allowed"), default=False)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        # By the column: by the relation, every query would join its row to
        # sort by that model's own ordering.
        ordering = ["round_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=F("min_age")),
                name="category_age_band_in_order",
            ),
        ]
        rules_permissions = PERMISSIONS

    def __str__(self):
        return self.name or f"#{self.pk}"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")

    def max_bytes_for(self, kind):
        """The size limit of one file of a media kind; None for typed text."""
        if kind == MediaKind.TEXT:
            return None
        return getattr(self, f"max_{kind}_bytes")

    def get_media_kinds_display(self):
        labels = dict(MediaKind.choices)
        return [labels[kind] for kind in self.media_kinds if kind in labels]


class ReferenceCounter(models.Model):
    """The last number given in a reference code of a year (``HRAP-2026-0042``):
    the rounds of one year, a prize and a youth contest, share the numbers, so
    that no two entries ever have the same code."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"
