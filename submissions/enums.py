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
