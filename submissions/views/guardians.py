"""The page a parent or guardian reaches from the confirmation mail. They have no
account: the signed link is their only key."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from submissions.errors import EntryError
from submissions.services.guardians import confirm_guardian, entry_for_guardian_token

TEMPLATE = "submissions/guardian_confirm.html"


@never_cache
@require_http_methods(["GET", "POST"])
def guardian_confirm(request, token):
    try:
        if request.method == "POST":
            confirm_guardian(token)
            messages.success(request, _("Thank you: you have confirmed the entry."))
            return redirect(request.path)
        entry = entry_for_guardian_token(token)
    except EntryError as error:
        return render(
            request,
            TEMPLATE,
            {"error": error.message, "code": error.code},
            status=400 if error.code == "link_invalid" else 410,
        )
    profile = getattr(entry.entrant, "profile", None)
    return render(
        request,
        TEMPLATE,
        {"entry": entry, "credit_name": str(profile) if profile else ""},
    )
