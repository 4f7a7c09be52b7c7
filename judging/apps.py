from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("Judging")

    def ready(self):
        # The permissions of judging (``rules.add_perm``).
        from judging import rules  # noqa: F401
        from judging.dashboard import round_dashboard_section
        from judging.services.publishing import follow_public_use
        from submissions.signals import public_use_changed, round_dashboard_sections

        # The progress of the round's stages, on the round's staff dashboard.
        round_dashboard_sections.connect(
            round_dashboard_section, dispatch_uid="judging.round_dashboard_section"
        )
        # A work's public use changed: its round's results post follows.
        public_use_changed.connect(
            follow_public_use, dispatch_uid="judging.follow_public_use"
        )
