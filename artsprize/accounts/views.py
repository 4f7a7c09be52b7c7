from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from artsprize.accounts.enums import Language
from artsprize.accounts.forms import LanguageForm, ProfileForm
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.services import set_language as save_language
from artsprize.accounts.services import update_entrant_profile


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice in the profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in Language.values:
        save_language(request.user, language)
    return response


@login_required
def profile(request):
    profile = EntrantProfile.objects.filter(user=request.user).first()
    profile_form = ProfileForm(instance=profile, prefix="profile") if profile else None
    language_form = LanguageForm(
        initial={"language": request.user.language}, prefix="language"
    )
    if request.method == "POST":
        if "language-language" in request.POST:
            language_form = LanguageForm(request.POST, prefix="language")
            if language_form.is_valid():
                save_language(request.user, language_form.cleaned_data["language"])
                messages.success(request, _("Your preferred language was saved."))
                return redirect("profile")
        elif profile is not None:
            profile_form = ProfileForm(request.POST, instance=profile, prefix="profile")
            if profile_form.is_valid():
                update_entrant_profile(
                    profile, data=profile_form.cleaned_data, by=request.user
                )
                messages.success(request, _("Your profile was saved."))
                return redirect("profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": profile,
            "profile_form": profile_form,
            "language_form": language_form,
        },
    )
