from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "artsprize.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from allauth.account.signals import password_reset
        from allauth.mfa.signals import authenticator_added

        from artsprize.accounts.caseworkers import verify_address_after_reset
        from artsprize.accounts.receivers import record_two_factor_on_activation
        from artsprize.accounts.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.role_groups")
        authenticator_added.connect(
            record_two_factor_on_activation, dispatch_uid="accounts.mfa_activation"
        )
        password_reset.connect(
            verify_address_after_reset, dispatch_uid="accounts.verify_after_reset"
        )


class PortalAdminConfig(admin_apps.AdminConfig):
    """The Django admin, on a site that asks for the portal's two-factor sign-in."""

    default = False  # Named in INSTALLED_APPS; this module's default is accounts.
    default_site = "artsprize.accounts.admin_site.PortalAdminSite"
