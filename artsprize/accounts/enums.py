from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles other than entrant are groups; every signed-up user is an entrant."""

    STAFF = "staff", _("Staff")
    JUDGE = "judge", _("Judge")
    CASEWORKER = "caseworker", _("Caseworker")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    CHINESE = "zh-hant", "繁體中文"
