"""Caseworkers' pages: the artists they registered, and entering works for them."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from artsprize.accounts.caseworkers import (
    artists_of,
    invite_artist_to_claim,
    register_artist,
)
from artsprize.accounts.errors import AccountError
from artsprize.accounts.forms import ArtistRecordForm, ClaimInvitationForm
from artsprize.accounts.permissions import lookup, permission_required
from submissions.errors import PrivacyError
from submissions.selectors import open_rounds
from submissions.services.privacy import archives_of, request_data_archive

caseworker_only = permission_required("accounts.file_for_artists")
# An artist's page: only the caseworker who registered them reaches it.
of_artist = permission_required(
    "accounts.file_for_artist",
    obj=lookup(get_user_model().objects.select_related("profile")),
)


@caseworker_only
def artists(request):
    return render(
        request,
        "submissions/caseworker/artists.html",
        {"artists": artists_of(request.user).prefetch_related("entries")},
    )


@caseworker_only
def artist_create(request):
    form = ArtistRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            artist = register_artist(
                by=request.user,
                data=data,
                email=data["email"],
                language=data["language"],
            )
        except AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("%(name)s is registered. You can now enter works for them.")
                % {"name": artist.profile.legal_name},
            )
            return redirect("caseworker:artist", pk=artist.pk)
    return render(request, "submissions/caseworker/artist_form.html", {"form": form})


def _render_artist(request, artist, claim_form, *, status=200):
    return render(
        request,
        "submissions/caseworker/artist_detail.html",
        {
            "artist": artist,
            "entries": artist.entries.select_related("round", "category"),
            "open_rounds": open_rounds(),
            "claim_form": claim_form,
            "archives": archives_of(artist, requested_by=request.user),
        },
        status=status,
    )


@of_artist
def artist_detail(request, artist):
    return _render_artist(
        request, artist, ClaimInvitationForm(initial={"email": artist.email})
    )


@of_artist
@require_POST
def artist_invite(request, artist):
    form = ClaimInvitationForm(request.POST)
    if form.is_valid():
        try:
            invite_artist_to_claim(
                artist, by=request.user, email=form.cleaned_data["email"]
            )
        except AccountError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("An invitation to claim the account was sent to %(email)s.")
                % {"email": artist.email},
            )
            return redirect("caseworker:artist", pk=artist.pk)
    return _render_artist(request, artist, form, status=400)


@of_artist
@require_POST
def artist_data_archive(request, artist):
    """Ask for a copy of an artist's data, to hand to them."""
    try:
        request_data_archive(artist, by=request.user)
    except PrivacyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "A copy of the artist's data is being prepared. It will be listed "
                "here, and we will e-mail you, when it is ready."
            ),
        )
    return redirect("caseworker:artist", pk=artist.pk)
