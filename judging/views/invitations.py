"""Judges' invitations: the staff page of a stage's invitations, and the page
a one-time link opens. Changes go through ``services.invitations``."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from artsprize.accounts.permissions import lookup, permission_required
from artsprize.accounts.two_factor import has_totp
from artsprize.common.i18n import set_language_cookie
from judging.errors import InvitationError, JudgingError
from judging.forms_invitations import InvitationForm, JudgeAccountForm
from judging.models import Stage
from judging.services.invitations import (
    STATE_LABELS,
    InvitationState,
    accept_invitation,
    account_for,
    create_judge_account,
    invitation_for_hash,
    invitation_state,
    invite_judge,
    resend_invitation,
    token_key,
    withdraw_invitation,
)

LINK_TEMPLATE = "judging/invitation.html"
LINK_ERROR_TEMPLATE = "judging/invitation_error.html"
MANAGE_TEMPLATE = "judging/manage/invitations.html"
# A link that names no invitation is "not found"; one that did and no longer
# works is "gone".
LINK_ERROR_STATUS = {"unknown": 404}


# The link and its page -----------------------------------------------------------

# Where a browser keeps the hash of the link it opened, for the page to read.
SESSION_KEY = "judging_invitation"


def judging_home():
    try:
        return reverse("judging:dashboard")
    except NoReverseMatch:
        return "/judging/"


def next_step(user):
    """Where a judge goes after accepting: their judging pages, through the
    set-up of an authenticator app if they have none."""
    home = judging_home()
    if has_totp(user):
        return home
    return f"{reverse('mfa_activate_totp')}?{urlencode({'next': home})}"


@require_http_methods(["GET", "HEAD"])
def judge_invitation(request, token):
    """The address of the mail, open to anyone: its token is the key (no
    permission to declare). It keeps the token's hash in the browser's session
    and leads to the invitation's page, whose address holds no secret: the
    token leaves the address bar, and no page that shows it has forms (with
    ``Referrer-Policy: no-referrer`` a browser posts as origin "null", which
    the CSRF check refuses). Nothing is looked up here: every link, good or
    bad, answers alike."""
    request.session[SESSION_KEY] = token_key(token)
    response = redirect("judge_invitation_page")
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        # The mail's language becomes the visitor's choice, which the switch
        # on the page can change.
        set_language_cookie(response, language)
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _link_error(request, error):
    response = render(
        request,
        LINK_ERROR_TEMPLATE,
        {"error": error.message, "code": error.code},
        status=LINK_ERROR_STATUS.get(error.code, 410),
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def judge_invitation_page(request):
    """The invitation of the link this browser opened. A visitor without an
    account makes one with the invited address; one whose address has an
    account signs in first (and comes back here); a signed-in visitor accepts
    with their account."""
    user = request.user if request.user.is_authenticated else None
    try:
        invitation = invitation_for_hash(request.session.get(SESSION_KEY), user=user)
    except InvitationError as error:
        return _link_error(request, error)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # Nobody chose a language on this browser: the invitation's.
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
    if user is not None and invitation.accepted_by_id == user.pk:
        return redirect(next_step(user))
    existing = account_for(invitation) if user is None else None
    form = None
    if user is None and existing is None:
        form = JudgeAccountForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
    if request.method == "POST":
        try:
            if user is not None:
                # The row itself: the roles' service locks it by its class.
                accept_invitation(
                    invitation, user=get_user_model().objects.get(pk=user.pk)
                )
                messages.success(
                    request,
                    _("Welcome to the panel of “%(stage)s”.")
                    % {"stage": invitation.stage.name},
                )
                return redirect(next_step(user))
            if form is not None and form.is_valid():
                return _create_account(request, invitation, form)
        except InvitationError as error:
            if error.code != "account_exists":
                return _link_error(request, error)
            existing, form = account_for(invitation), None
            messages.warning(request, error.message)
        except JudgingError as error:
            return _link_error(request, error)
    status = 400 if form is not None and form.is_bound and form.errors else 200
    response = render(
        request,
        LINK_TEMPLATE,
        {
            "invitation": invitation,
            "stage": invitation.stage,
            "round": invitation.stage.round,
            "form": form,
            "has_account": existing is not None,
            "other_address": user is not None
            and (user.email or "").lower() != invitation.email.lower(),
            "login_url": f"{reverse('account_login')}?"
            f"{urlencode({'next': request.path})}",
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _create_account(request, invitation, form):
    created = create_judge_account(invitation, password=form.cleaned_data["password1"])
    messages.success(
        request,
        _("Your account was created. Welcome to the panel of “%(stage)s”.")
        % {"stage": invitation.stage.name},
    )
    response = perform_login(
        request,
        created,
        email_verification="none",
        redirect_url=next_step(created),
        email=created.email,
    )
    # Signed in with the password chosen in this very request: the set-up of
    # the authenticator that follows need not ask for it again (allauth asks a
    # recent password before adding one).
    record_authentication(
        request, created, "password", email=created.email, reauthenticated=True
    )
    return response


# The staff page --------------------------------------------------------------------


of_stage = permission_required(
    "judging.manage_judging",
    obj=lookup(Stage.objects.select_related("round")),
    hidden=False,
)


def _rows(stage):
    now = timezone.now()
    labels = {state: str(label) for state, label in STATE_LABELS.items()}
    rows = []
    for invitation in stage.invitations.select_related("accepted_by").order_by(
        "-created_at", "-id"
    ):
        state = invitation_state(invitation, now=now)
        rows.append(
            {
                "invitation": invitation,
                "state": state,
                "state_label": labels[state],
                "pending": state in {InvitationState.SENT, InvitationState.EXPIRED},
            }
        )
    return rows


def _manage_page(request, stage, form, *, status=200):
    return render(
        request,
        MANAGE_TEMPLATE,
        {"stage": stage, "form": form, "rows": _rows(stage)},
        status=status,
    )


@of_stage
@require_http_methods(["GET", "POST"])
def stage_invitations(request, stage):
    if request.method != "POST":
        return _manage_page(request, stage, InvitationForm())
    form = InvitationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invite_judge(
                stage,
                email=data["email"],
                language=data["language"],
                as_chair=data["as_chair"],
                by=request.user,
            )
        except InvitationError as error:
            form.add_error(
                "email" if error.code != "stage_finalised" else None, error.message
            )
        else:
            messages.success(
                request,
                _("The invitation was sent to %(email)s.")
                % {"email": invitation.email},
            )
            return redirect("manage:stage_invitations", stage.pk)
    return _manage_page(request, stage, form, status=400)


def _invitation_of(stage, pk):
    return get_object_or_404(stage.invitations.all(), pk=pk)


@of_stage
@require_POST
def invitation_resend(request, stage, invitation_pk):
    invitation = _invitation_of(stage, invitation_pk)
    try:
        resend_invitation(invitation, by=request.user)
    except InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "The invitation was sent again to %(email)s; the former link no longer works."
            )
            % {"email": invitation.email},
        )
    return redirect("manage:stage_invitations", stage.pk)


@of_stage
@require_POST
def invitation_withdraw(request, stage, invitation_pk):
    invitation = _invitation_of(stage, invitation_pk)
    try:
        withdrawn = withdraw_invitation(invitation, by=request.user)
    except InvitationError as error:
        messages.error(request, error.message)
    else:
        if withdrawn:
            messages.success(
                request,
                _(
                    "The invitation to %(email)s was withdrawn: its link no longer works."
                )
                % {"email": invitation.email},
            )
        else:
            messages.info(request, _("This invitation was withdrawn already."))
    return redirect("manage:stage_invitations", stage.pk)
