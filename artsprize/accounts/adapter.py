from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.enums import Language
from artsprize.common.i18n import set_language_cookie


def user_language(user):
    language = getattr(user, "language", "") or ""
    return language if language in Language.values else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Mail goes out in the recipient's language, not the sender's, and greets
        them by name where the address has an account."""
        user = context.get("user")
        if user is None or not getattr(user, "pk", None):
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = user_language(user) if user else translation.get_language()
        # Without it, the templates would greet whoever is signed in.
        context = {**context, "user": user}
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, **kwargs):
        # Activated first, so that the "signed in" message is in their language too.
        language = user_language(user)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = super().post_login(request, user, **kwargs)
        set_language_cookie(response, language)
        return response


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "Staff and judges must keep two-factor authentication. If you lost your "
            "device, ask a staff member to reset it."
        ),
        "incorrect_setup_code": _(
            "That code was not accepted. Check that the time on your phone is right "
            "(set it to update automatically), then type the latest code the app "
            "shows: it changes every %(seconds)s seconds."
        ),
    }

    def can_delete_authenticator(self, authenticator):
        """Staff and judges keep their second factor; only staff can reset it."""
        return not authenticator.user.needs_two_factor
