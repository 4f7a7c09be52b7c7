from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.utils import translation

from artsprize.accounts.enums import Language


def _user_language(user):
    language = getattr(user, "language", "") or ""
    return language if language in Language.values else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Mail goes out in the recipient's language, not the sender's."""
        user = context.get("user")
        if user is None:
            user = self._user_for_email(email)
        language = _user_language(user) if user else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def _user_for_email(self, email):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(email__iexact=email).first()

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        language = _user_language(user)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Staff and judges keep their second factor; only staff can reset it."""
        return not authenticator.user.needs_two_factor
