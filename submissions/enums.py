from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for entries")
    CLOSED = "closed", _("Closed")
    JUDGING = "judging", _("Judging")
    DECIDED = "decided", _("Decided")
    PUBLISHED = "published", _("Results published")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    DOCUMENT = "document", _("Document (PDF)")
    TEXT = "text", _("Text typed into the form")


# Kinds whose works are uploaded as files, each with its own size limit.
FILE_MEDIA_KINDS = (
    MediaKind.IMAGE,
    MediaKind.VIDEO,
    MediaKind.AUDIO,
    MediaKind.DOCUMENT,
)


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResultOutcome(models.TextChoices):
    """What a judged entry came to, as its entrant learns it when the results
    are published."""

    AWARDED = "awarded", _("Awarded")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    NOT_SELECTED = "not_selected", _("Not selected this time")


class ScreeningState(models.TextChoices):
    """Staff's check of a submitted entry against the round's rules, between the
    deadline and judging. Entrants learn it when staff release the results."""

    UNSCREENED = "unscreened", _("Not screened yet")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")


class MatchKind(models.TextChoices):
    """How two files of different entries are alike (duplicate detection)."""

    SAME_FILE = "same_file", _("The same file")
    SIMILAR_IMAGE = "similar_image", _("A similar image")


class Credit(models.TextChoices):
    """How the artist is named with the work in public."""

    LEGAL_NAME = "legal_name", _("My legal name")
    CREDIT_NAME = "credit_name", _("My credit name or pseudonym")
    ANONYMOUS = "anonymous", _("Anonymous")


class GuardianState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    PENDING = "pending", _("Waiting for the guardian's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the guardian")


class FileState(models.TextChoices):
    AWAITING_UPLOAD = "awaiting_upload", _("Uploading")
    UPLOADED = "uploaded", _("Uploaded")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed, will be retried")


class ConsentMethod(models.TextChoices):
    """How a caseworker obtained the artist's consent to enter on their behalf."""

    SIGNED_FORM = "signed_form", _("Signed a paper consent form")
    IN_PERSON = "in_person", _("Agreed in person, witnessed by the caseworker")
    INTERPRETER = "interpreter", _("Agreed through an interpreter")
    OTHER = "other", _("Other (described in the notes)")


class DerivativeKind(models.TextChoices):
    """The copies made from an original for judges and the public."""

    THUMB = "thumb", _("Thumbnail")
    PREVIEW = "preview", _("Preview")
    POSTER = "poster", _("Poster frame")
    VIDEO = "video", _("Video for playing in browsers")
    AUDIO = "audio", _("Audio for playing in browsers")
    WAVEFORM = "waveform", _("Waveform")
    PAGE = "page", _("Page image")
    DOCUMENT = "document", _("Document without its metadata")


# The copy a judge looks at, listens to or reads in full, by the kind of file.
JUDGE_COPY_KINDS = {
    MediaKind.IMAGE: DerivativeKind.PREVIEW,
    MediaKind.VIDEO: DerivativeKind.VIDEO,
    MediaKind.AUDIO: DerivativeKind.AUDIO,
    MediaKind.DOCUMENT: DerivativeKind.DOCUMENT,
}
