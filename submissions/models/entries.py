from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from artsprize.common.i18n import localized
from artsprize.common.models import TimeStampedModel
from submissions.enums import (
    ConsentMethod,
    Credit,
    EntryState,
    FileState,
    GuardianState,
    MatchKind,
    MediaKind,
    ResultOutcome,
    ScreeningState,
)


class Entry(TimeStampedModel):
    """One work entered in a round's category, by an entrant or a caseworker for them."""

    round = models.ForeignKey(
        "submissions.Round",
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("round"),
    )
    category = models.ForeignKey(
        "submissions.Category",
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("category"),
    )
    entrant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("entrant"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="filed_entries",
        verbose_name=_("filed by"),
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=EntryState.choices,
        default=EntryState.DRAFT,
        db_index=True,
    )
    reference = models.CharField(
        _("reference code"), max_length=32, unique=True, null=True, blank=True
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh_hant = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    medium = models.CharField(_("medium"), max_length=200, blank=True)
    year_made = models.PositiveSmallIntegerField(_("year made"), null=True, blank=True)
    dimensions = models.CharField(
        _("dimensions or duration"), max_length=200, blank=True
    )
    statement = models.TextField(_("artist statement"), max_length=20000, blank=True)
    text_work = models.TextField(
        _("the work as text"),
        max_length=50000,
        blank=True,
        help_text=_("For a written work, such as a poem, typed into the form."),
    )
    credit = models.CharField(
        _("credit"), max_length=16, choices=Credit.choices, default=Credit.CREDIT_NAME
    )
    consent_original = models.BooleanField(_("the work is original"), default=False)
    consent_terms = models.BooleanField(_("accepts the terms"), default=False)
    consent_website = models.BooleanField(
        _("may be shown on the website"), default=False
    )
    consent_social = models.BooleanField(
        _("may be shown on social media"), default=False
    )
    consent_press = models.BooleanField(_("may be shown to the press"), default=False)
    consent_exhibition = models.BooleanField(_("may be exhibited"), default=False)
    consent_auction = models.BooleanField(
        _("may be sold at the charity auction"), default=False
    )
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_email = models.EmailField(_("guardian's e-mail"), blank=True)
    guardian_state = models.CharField(
        _("guardian's consent"),
        max_length=16,
        choices=GuardianState.choices,
        default=GuardianState.NOT_NEEDED,
    )
    guardian_confirmed_at = models.DateTimeField(
        _("guardian confirmed at"), null=True, blank=True
    )
    consent_method = models.CharField(
        _("how the artist consented"),
        max_length=16,
        choices=ConsentMethod.choices,
        blank=True,
    )
    consent_notes = models.TextField(_("consent notes"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # When the guardian was last mailed, so that resending can be rate-limited.
    guardian_mailed_at = models.DateTimeField(
        _("guardian last mailed at"), null=True, blank=True
    )
    # Each deadline reminder is sent once per draft; beat ticks many times a window.
    reminded_48h_at = models.DateTimeField(
        _("reminded 48 hours before closing"), null=True, blank=True
    )
    reminded_3h_at = models.DateTimeField(
        _("reminded 3 hours before closing"), null=True, blank=True
    )

    # Screening (services.screening): the decision, its reason in both languages
    # as the entrant will read it, who made it and when, and the note for judges
    # of a work that needs a content warning.
    screening = models.CharField(
        _("screening"),
        max_length=16,
        choices=ScreeningState.choices,
        default=ScreeningState.UNSCREENED,
    )
    screening_reason_en = models.TextField(
        _("screening reason (English)"), max_length=2000, blank=True
    )
    screening_reason_zh_hant = models.TextField(
        _("screening reason (Chinese)"), max_length=2000, blank=True
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("screened by"),
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    content_warning = models.BooleanField(_("content warning"), default=False)
    content_warning_note = models.CharField(
        _("content warning for judges"), max_length=300, blank=True
    )
    # Judging's outcome that keeps the files past the round's retention
    # (services.rounds.mark_shortlisted).
    shortlisted_at = models.DateTimeField(_("shortlisted at"), null=True, blank=True)
    # What the entry came to, set when its round's results are published
    # (services.results), with the names of its awards in both languages.
    result = models.CharField(
        _("result"), max_length=16, choices=ResultOutcome.choices, blank=True
    )
    result_awards = models.JSONField(_("awards"), default=list, blank=True)
    # When the artist took back, after submitting, their agreement to the
    # website (services.public_use): the work is then not listed in public at
    # all, where a work never agreed to is listed without its images.
    public_use_withdrawn_at = models.DateTimeField(
        _("withdrawn from the website"), null=True, blank=True
    )
    # The entrant deleted their account: the entry, withdrawn, is deleted when
    # its round's results are published (services.privacy).
    delete_when_published = models.BooleanField(
        _("to be deleted when the results are published"), default=False
    )

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["round", "entrant", "state"]),
            models.Index(fields=["round", "state"]),
        ]

    def __str__(self):
        return self.reference or self.title or f"#{self.pk}"

    @property
    def title(self):
        return localized(self, "title")

    @property
    def screening_reason(self):
        return localized(self, "screening_reason")


class TeamMember(models.Model):
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="team_members"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the work"), max_length=200, blank=True)
    agreed = models.BooleanField(_("agreed to the entry"), default=False)
    is_minor = models.BooleanField(_("under 18"), default=False)
    guardian_name = models.CharField(_("guardian's name"), max_length=200, blank=True)
    guardian_agreed = models.BooleanField(_("guardian agreed"), default=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        # By the column: by the relation, every query would join its row to
        # sort by that model's own ordering.
        ordering = ["entry_id", "position", "id"]

    def __str__(self):
        return self.name


class ArtworkFile(TimeStampedModel):
    """One file of an entry, uploaded by the browser straight to object storage.

    The object key is chosen by the server and holds no personal data and no file
    name; the sanitised original name is kept here for the entrant and staff only.
    """

    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="files", verbose_name=_("entry")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=MediaKind.choices)
    key = models.CharField(_("object key"), max_length=300, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    declared_size = models.PositiveBigIntegerField(_("declared size"))
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    upload_id = models.CharField(_("multipart upload ID"), max_length=500, blank=True)
    part_size = models.PositiveIntegerField(_("part size"), default=0)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=FileState.choices,
        default=FileState.AWAITING_UPLOAD,
        db_index=True,
    )
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    # The perceptual hash of an image (64 bits as 16 hexadecimal digits), alike for
    # the same picture resized, re-encoded or photographed again.
    perceptual_hash = models.CharField(_("perceptual hash"), max_length=16, blank=True)
    alt_text = models.TextField(
        _("description of the image"), max_length=2000, blank=True
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    # What processing learnt of the work.
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration = models.FloatField(_("duration in seconds"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    media_details = models.JSONField(_("media details"), default=dict, blank=True)
    # Processing bookkeeping: when the task was last queued, which run holds the
    # file and since when (a redelivered message keeps its task ID and may carry
    # on; a duplicate waits until the run is past its time limit), and how often
    # it was tried.
    queued_at = models.DateTimeField(_("queued for processing at"), null=True)
    processing_run = models.CharField(_("processing run"), max_length=64, blank=True)
    processing_started_at = models.DateTimeField(
        _("processing started at"), null=True, blank=True
    )
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)

    class Meta:
        verbose_name = _("artwork file")
        verbose_name_plural = _("artwork files")
        # By the column: by the relation, every query would join its row to
        # sort by that model's own ordering.
        ordering = ["entry_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=MediaKind.TEXT), name="artwork_file_kind_is_a_file"
            )
        ]

    def __str__(self):
        return self.original_name


class FileMatch(models.Model):
    """Two files of different entries found alike: the same bytes, or images whose
    perceptual hashes differ in few bits. One row per pair, ``file`` the later."""

    file = models.ForeignKey(
        ArtworkFile, on_delete=models.CASCADE, related_name="matches"
    )
    other = models.ForeignKey(
        ArtworkFile, on_delete=models.CASCADE, related_name="matched_by"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatchKind.choices)
    # Bits in which the perceptual hashes differ (0 for the same file).
    distance = models.PositiveSmallIntegerField(_("distance"), default=0)
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("file match")
        verbose_name_plural = _("file matches")
        ordering = ["file_id", "other_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "other"], name="one_match_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(file=models.F("other")), name="match_of_two_files"
            ),
        ]

    def __str__(self):
        return f"{self.file_id} ~ {self.other_id}"


class ScreeningReason(TimeStampedModel):
    """A reason staff pick when they screen an entry, in both languages; staff edit
    the list. The entry keeps the text as it was when chosen."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_en = models.TextField(_("reason (English)"), max_length=2000)
    text_zh_hant = models.TextField(_("reason (Chinese)"), max_length=2000)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("screening reason")
        verbose_name_plural = _("screening reasons")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text

    @property
    def text(self):
        return localized(self, "text")
