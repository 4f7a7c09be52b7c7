from allauth.account.utils import get_next_redirect_url
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from artsprize.accounts.enums import Language
from artsprize.accounts.forms import LanguageForm, ProfileForm
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.services import set_language as save_language
from artsprize.accounts.services import update_entrant_profile
from artsprize.common.i18n import set_language_cookie


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
                language = language_form.cleaned_data["language"]
                save_language(request.user, language)
                messages.success(request, _("Your preferred language was saved."))
                response = redirect("profile")
                set_language_cookie(response, language)
                return response
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


def _next_url(request):
    """The page a person was on their way to, if it is one of ours."""
    return get_next_redirect_url(request) or ""


class ActivateTOTPThenContinueView(ActivateTOTPView):
    """allauth's TOTP set-up, which keeps the page the person was going to (staff
    and judges are sent here from a staff or judging page) and leads back to it,
    through the recovery codes when new ones were made."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        next_url = _next_url(self.request)
        action = reverse("mfa_activate_totp")
        if next_url:
            action = f"{action}?{urlencode({'next': next_url})}"
        context.update(next_url=next_url, action_url=action)
        return context

    def get_success_url(self):
        next_url = _next_url(self.request)
        if self.did_generate_recovery_codes:
            url = reverse("mfa_view_recovery_codes")
            return f"{url}?{urlencode({'next': next_url})}" if next_url else url
        return next_url or reverse("mfa_index")


class ViewRecoveryCodesThenContinueView(ViewRecoveryCodesView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = _next_url(self.request)
        return context


activate_totp = ActivateTOTPThenContinueView.as_view()
view_recovery_codes = ViewRecoveryCodesThenContinueView.as_view()
