from django.db import models
from django.utils.translation import gettext_lazy as _


class PostState(models.TextChoices):
    """Where a news post is: only a published post is shown to the public."""

    DRAFT = "draft", _("draft")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")
