from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging")

    def ready(self):
        # The permissions of judging (``rules.add_perm``).
        from judging import rules  # noqa: F401
