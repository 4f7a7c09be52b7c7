from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from artsprize.accounts.enums import Role
from artsprize.accounts.errors import AccountError
from artsprize.accounts.forms import (
    PeopleFilterForm,
    ResetTwoFactorForm,
    RoleChangeForm,
)
from artsprize.accounts.models import EntrantProfile
from artsprize.accounts.permissions import lookup, permission_required
from artsprize.accounts.roles import grant_role, revoke_role
from artsprize.accounts.selectors import (
    audit_events_about,
    needs_two_factor,
    people_for_staff,
    role_labels,
    two_factor_summary,
)
from artsprize.accounts.two_factor import reset_two_factor
from artsprize.common.models import ERASED_ACTOR

PEOPLE_PER_PAGE = 50


@permission_required("accounts.manage_people")
def people(request):
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = people_for_staff(query=filters.get("q", ""), role=filters.get("role", ""))
    page = Paginator(found, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "person": person,
            "roles": role_labels(person),
            "profile": _profile_or_none(person),
            "needs_two_factor": needs_two_factor(person),
        }
        for person in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/manage/people.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


def _profile_or_none(person):
    try:
        return person.profile
    except EntrantProfile.DoesNotExist:
        return None


def _render_person(request, person, *, reset_form=None):
    held = {group.name for group in person.groups.all()}
    roles = [
        {
            "role": role,
            "held": role in held,
            # Revoking one's own staff role is refused by the service; the page
            # says why instead of offering a button that can only fail.
            "own_staff": role == Role.STAFF and person.pk == request.user.pk,
        }
        for role in Role
    ]
    return render(
        request,
        "accounts/manage/person.html",
        {
            "person": person,
            "profile": _profile_or_none(person),
            "roles": roles,
            "is_superuser_staff": person.is_superuser and Role.STAFF not in held,
            "two_factor": two_factor_summary(person),
            "needs_two_factor": person.needs_two_factor,
            "events": audit_events_about(person),
            "erased_actor": ERASED_ACTOR,
            "audit_object": f"accounts.user:{person.pk}",
            "reset_form": reset_form or ResetTwoFactorForm(),
            "is_self": person.pk == request.user.pk,
        },
    )


# A person's page: staff see everyone (people are no secret to them).
of_person = permission_required(
    "accounts.manage_people",
    obj=lookup(
        get_user_model().objects.select_related("profile").prefetch_related("groups")
    ),
    hidden=False,
)


@of_person
def person(request, person):
    return _render_person(request, person)


@require_POST
@of_person
def change_role(request, person):
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles listed on the page."))
        return redirect("manage:person", pk=person.pk)
    role = Role(form.cleaned_data["role"])
    try:
        if form.cleaned_data["action"] == RoleChangeForm.GRANT:
            changed = grant_role(person, role, by=request.user)
            done = _("%(person)s now has the role “%(role)s”.")
            unchanged = _("%(person)s already had the role “%(role)s”.")
        else:
            changed = revoke_role(person, role, by=request.user)
            done = _("%(person)s no longer has the role “%(role)s”.")
            unchanged = _("%(person)s did not have the role “%(role)s”.")
    except AccountError as error:
        messages.error(request, error.message)
        return redirect("manage:person", pk=person.pk)
    text = (done if changed else unchanged) % {"person": person, "role": role.label}
    if changed:
        messages.success(request, text)
    else:
        messages.info(request, text)
    return redirect("manage:person", pk=person.pk)


@require_POST
@of_person
def reset_person_two_factor(request, person):
    form = ResetTwoFactorForm(request.POST)
    if form.is_valid():
        try:
            reset_two_factor(
                person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "The two-factor authentication of %(person)s was reset. They "
                    "were told by e-mail and will set it up again at their next "
                    "sign-in."
                )
                % {"person": person},
            )
            return redirect("manage:person", pk=person.pk)
    return _render_person(request, person, reset_form=form)
