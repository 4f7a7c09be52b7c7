"""The page a parent or guardian reaches from the confirmation mail. They have no
account: the signed link is their only key."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from artsprize.common.i18n import set_language_cookie
from submissions.errors import EntryError
from submissions.services.guardians import confirm_guardian, entry_for_guardian_token

TEMPLATE = "submissions/guardian_confirm.html"
ERROR_STATUS = {"link_invalid": 400, "entrant_session": 403}


@never_cache
@require_http_methods(["GET", "POST"])
def guardian_confirm(request, token):
    language = request.GET.get("lang")
    if request.method == "GET" and language is not None:
        # The mail's language becomes the guardian's choice, which the switch on
        # the page can change; the clean address keeps the switch from undoing it.
        response = redirect(request.path)
        if language in dict(settings.LANGUAGES):
            set_language_cookie(response, language)
        return response
    user = request.user if request.user.is_authenticated else None
    try:
        if request.method == "POST":
            confirm_guardian(token, by=user)
            messages.success(request, _("Thank you: you have confirmed the entry."))
            return redirect(request.path)
        entry = entry_for_guardian_token(token, user=user)
    except EntryError as error:
        return render(
            request,
            TEMPLATE,
            {"error": error.message, "code": error.code},
            status=ERROR_STATUS.get(error.code, 410),
        )
    profile = getattr(entry.entrant, "profile", None)
    return render(
        request,
        TEMPLATE,
        {"entry": entry, "credit_name": str(profile) if profile else ""},
    )
