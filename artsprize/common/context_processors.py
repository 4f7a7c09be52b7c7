from django.conf import settings
from django.utils.translation import get_language


def portal(request):
    return {
        "PICS_VERSION": settings.PICS_VERSION,
        # The public pages' look (docs/DESIGN.md): set by the ``public_page``
        # decorator of artsprize/common/pages.py.
        "public_page": getattr(request, "public_page", False),
        "PRIZE_ORGANISER": prize_organiser(),
    }


def prize_organiser(language=None):
    """The organiser's name in ``language`` (the active one by default), as the
    public pages credit it; the English name stands in for a missing Chinese one."""
    language = (language or get_language() or "en").lower()
    if language.startswith("zh"):
        return settings.PRIZE_ORGANISER_ZH_HANT or settings.PRIZE_ORGANISER_EN
    return settings.PRIZE_ORGANISER_EN
