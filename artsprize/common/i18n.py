from django.conf import settings
from django.utils.translation import get_language


def language_suffix(language=None):
    """The field suffix of a bilingual model field for a language code."""
    language = (language or get_language() or "en").lower()
    return "zh_hant" if language.startswith("zh") else "en"


def localized(obj, field, language=None):
    """The value of ``<field>_en`` or ``<field>_zh_hant`` for the active language,
    falling back to the other language when that one is empty."""
    suffix = language_suffix(language)
    other = "en" if suffix == "zh_hant" else "zh_hant"
    return getattr(obj, f"{field}_{suffix}", "") or getattr(obj, f"{field}_{other}", "")


def set_language_cookie(response, language):
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
