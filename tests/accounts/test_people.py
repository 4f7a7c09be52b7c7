import html
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from artsprize.accounts.enums import Language, Role
from artsprize.accounts.roles import grant_role
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(mfa_client, staff_user):
    return mfa_client(staff_user)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(None, "login", id="anonymous"),
        pytest.param(factories.make_entrant, 403, id="entrant"),
        pytest.param(factories.make_judge, 403, id="judge"),
        pytest.param(factories.make_caseworker, 403, id="caseworker"),
        pytest.param(factories.make_staff, 200, id="staff"),
    ],
)
@pytest.mark.parametrize("page", ["people", "person"])
def test_only_staff_reach_the_people_pages(client, mfa_client, make, expected, page):
    other = factories.make_entrant()
    url = (
        reverse("manage:people")
        if page == "people"
        else reverse("manage:person", args=[other.pk])
    )
    if make is not None:
        client = mfa_client(make())

    response = client.get(url)

    if expected == "login":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(factories.make_entrant, id="entrant"),
        pytest.param(factories.make_judge, id="judge"),
        pytest.param(factories.make_caseworker, id="caseworker"),
    ],
)
def test_only_staff_change_roles_or_reset_two_factor(mfa_client, make):
    client = mfa_client(make())
    judge = factories.make_judge()
    factories.activate_totp(judge)

    response = client.post(
        reverse("manage:person_role", args=[judge.pk]),
        {"role": Role.STAFF, "action": "grant"},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("manage:person_reset_two_factor", args=[judge.pk]),
        {"reason": "lost phone"},
    )
    assert response.status_code == 403
    assert not judge.groups.filter(name=Role.STAFF).exists()
    assert Authenticator.objects.filter(user=judge).count() == 1


def test_anonymous_posts_are_sent_to_sign_in(client):
    judge = factories.make_judge()
    url = reverse("manage:person_role", args=[judge.pk])

    response = client.post(url, {"role": Role.STAFF, "action": "grant"})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_the_list_shows_roles_names_and_two_factor(staff_client, staff_user):
    judge = factories.make_judge(email="judge@example.org")
    factories.activate_totp(judge)
    entrant = factories.make_entrant(email="artist@example.org")

    response = staff_client.get(reverse("manage:people"))

    rows = {row["person"].email: row for row in response.context["rows"]}
    assert list(rows) == sorted([staff_user.email, judge.email, entrant.email])
    assert rows[judge.email]["roles"] == ["Judge"]
    assert rows[judge.email]["person"].has_totp is True
    assert rows[staff_user.email]["roles"] == ["Staff"]
    assert rows[entrant.email]["roles"] == []
    assert rows[entrant.email]["profile"].legal_name == "Chan Tai Man"
    assert rows[entrant.email]["needs_two_factor"] is False
    assert rows[judge.email]["needs_two_factor"] is True
    assert "3 people found." in response.text
    assert f'href="{reverse("manage:person", args=[judge.pk])}"' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("JUDGE@", ["judge@example.org"]),
        ("chan tai", ["artist@example.org"]),
        ("Tai", ["artist@example.org"]),
        ("陳", []),
        ("nobody", []),
        ("", ["artist@example.org", "judge@example.org", "staff@example.org"]),
    ],
)
def test_search_by_email_or_name(mfa_client, query, expected):
    client = mfa_client(factories.make_staff(email="staff@example.org"))
    factories.make_judge(email="judge@example.org")
    factories.make_entrant(email="artist@example.org")

    response = client.get(reverse("manage:people"), {"q": query})

    assert [row["person"].email for row in response.context["rows"]] == expected
    assert response.context["form"]["q"].value() == query


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STAFF, ["root@example.org", "staff@example.org"]),
        (Role.JUDGE, ["judge@example.org", "staffjudge@example.org"]),
        (Role.CASEWORKER, ["ngo@example.org"]),
        ("entrant", ["artist@example.org"]),
    ],
)
def test_filter_by_role(mfa_client, role, expected):
    client = mfa_client(factories.make_staff(email="staff@example.org"))
    factories.make_user(email="root@example.org", is_superuser=True, is_staff=True)
    factories.make_judge(email="judge@example.org")
    both = factories.make_judge(email="staffjudge@example.org")
    factories.make_caseworker(email="ngo@example.org")
    factories.make_entrant(email="artist@example.org")
    # A judge who is also a caseworker is listed once under each of the two.
    grant_role(both, Role.CASEWORKER, by=None)

    response = client.get(reverse("manage:people"), {"role": role})

    expected_emails = (
        [*expected, "staffjudge@example.org"] if role == Role.CASEWORKER else expected
    )
    emails = [row["person"].email for row in response.context["rows"]]
    assert emails == sorted(expected_emails)


@pytest.mark.parametrize(
    "params",
    [
        {"role": "emperor"},
        {"q": "a\x00b"},
        {"q": "x" * 201},
        {"page": "-3"},
        {"page": "many"},
    ],
)
def test_bad_filters_show_the_page_with_a_message(staff_client, params):
    response = staff_client.get(reverse("manage:people"), params)

    assert response.status_code == 200
    form = response.context["form"]
    if "page" in params:
        assert response.context["page"].number == 1
    else:
        assert not form.is_valid()
        assert len(response.context["rows"]) == 1


def test_the_list_takes_as_many_queries_for_fifty_people_as_for_one(
    staff_client, django_assert_num_queries
):
    url = reverse("manage:people")
    staff_client.get(url)  # Warm up: the content type and session caches.
    with django_assert_num_queries(8) as one:
        response = staff_client.get(url)
    assert len(response.context["rows"]) == 1

    for number in range(49):
        user = factories.make_entrant(email=f"artist{number:02}@example.org")
        if number % 2:
            factories.activate_totp(user)
            grant_role(user, Role.JUDGE, by=None)
    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(url)
    assert len(response.context["rows"]) == 50


def test_the_list_is_paginated_by_fifty_and_keeps_the_filter(staff_client):
    for number in range(55):
        factories.make_entrant(email=f"artist{number:02}@example.org")

    response = staff_client.get(reverse("manage:people"), {"role": "entrant"})
    assert len(response.context["rows"]) == 50
    assert 'href="?role=entrant&amp;page=2"' in response.text

    response = staff_client.get(
        reverse("manage:people"), {"role": "entrant", "page": 2}
    )
    assert [row["person"].email for row in response.context["rows"]] == [
        f"artist{number:02}@example.org" for number in range(50, 55)
    ]


def test_the_person_page_shows_roles_two_factor_profile_and_audit(staff_client):
    entrant = factories.make_entrant(email="artist@example.org")
    factories.activate_totp(entrant)
    RecoveryCodes.activate(entrant)

    response = staff_client.get(reverse("manage:person", args=[entrant.pk]))

    assert response.status_code == 200
    context = response.context
    assert [(item["role"], item["held"]) for item in context["roles"]] == [
        (Role.STAFF, False),
        (Role.JUDGE, False),
        (Role.CASEWORKER, False),
    ]
    assert context["two_factor"] == {
        "totp": True,
        "recovery_codes_left": 10,
        "types": ["recovery_codes", "totp"],
    }
    assert context["profile"].legal_name == "Chan Tai Man"
    assert "Chan Tai Man" in response.text
    assert "10 recovery codes left." in response.text
    assert (
        f'href="{reverse("manage:audit_log")}?object=accounts.user:{entrant.pk}"'
        in response.text
    )


def test_granting_and_revoking_a_role_is_audited(staff_client, staff_user):
    judge = factories.make_entrant()
    url = reverse("manage:person_role", args=[judge.pk])

    response = staff_client.post(
        url, {"role": Role.JUDGE, "action": "grant"}, follow=True
    )

    assert response.redirect_chain == [(reverse("manage:person", args=[judge.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        f"{judge.email} now has the role “Judge”."
    ]
    assert judge.groups.filter(name=Role.JUDGE).exists()
    event = AuditEvent.objects.for_object(judge).get(verb=AuditVerb.ROLE_GRANTED)
    assert (event.actor, event.to_state) == (staff_user, Role.JUDGE)
    assert response.context["events"][0] == event

    response = staff_client.post(
        url, {"role": Role.JUDGE, "action": "grant"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"{judge.email} already had the role “Judge”."
    ]
    assert (
        AuditEvent.objects.for_object(judge).filter(verb=AuditVerb.ROLE_GRANTED).count()
        == 1
    )

    response = staff_client.post(
        url, {"role": Role.JUDGE, "action": "revoke"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [
        f"{judge.email} no longer has the role “Judge”."
    ]
    assert not judge.groups.filter(name=Role.JUDGE).exists()
    event = AuditEvent.objects.for_object(judge).get(verb=AuditVerb.ROLE_REVOKED)
    assert (event.actor, event.from_state) == (staff_user, Role.JUDGE)


def test_granting_staff_gives_admin_site_access_and_revoking_takes_it(staff_client):
    person = factories.make_entrant()
    url = reverse("manage:person_role", args=[person.pk])

    staff_client.post(url, {"role": Role.STAFF, "action": "grant"})
    person.refresh_from_db()
    person.passed_two_factor = True  # As in a session that passed it.
    assert person.is_staff is True
    assert person.has_perm("accounts.manage_people") is True

    staff_client.post(url, {"role": Role.STAFF, "action": "revoke"})
    person = get_user_model().objects.get(pk=person.pk)
    person.passed_two_factor = True
    assert person.is_staff is False
    assert person.has_perm("accounts.manage_people") is False


@pytest.mark.parametrize(
    "data",
    [
        {"role": "emperor", "action": "grant"},
        {"role": Role.JUDGE, "action": "crown"},
        {},
    ],
)
def test_an_unknown_role_change_is_refused_with_a_message(staff_client, data):
    person = factories.make_entrant()

    response = staff_client.post(
        reverse("manage:person_role", args=[person.pk]), data, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Choose one of the roles listed on the page."
    ]
    assert not person.groups.exists()
    assert not AuditEvent.objects.for_object(person).exists()


def test_staff_cannot_revoke_their_own_staff_role(staff_client, staff_user):
    page = staff_client.get(reverse("manage:person", args=[staff_user.pk]))
    assert "You cannot remove your own staff role" in page.text
    assert 'value="revoke"' not in page.text

    response = staff_client.post(
        reverse("manage:person_role", args=[staff_user.pk]),
        {"role": Role.STAFF, "action": "revoke"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "You cannot remove your own staff role. Ask another staff member: this way "
        "nobody locks themselves out by mistake and the portal always keeps someone "
        "who can manage people."
    ]
    assert staff_user.groups.filter(name=Role.STAFF).exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.ROLE_REVOKED).exists()


def test_a_person_page_for_nobody_is_not_found(staff_client):
    response = staff_client.get(reverse("manage:person", args=[999999]))
    assert response.status_code == 404
    response = staff_client.post(
        reverse("manage:person_reset_two_factor", args=[999999]), {"reason": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("language", [Language.ENGLISH, Language.CHINESE])
def test_resetting_a_judges_two_factor_needs_a_reason_and_tells_them(
    staff_client, staff_user, django_capture_on_commit_callbacks, language
):
    judge = factories.make_judge(email="judge@example.org", language=language)
    factories.activate_totp(judge)
    RecoveryCodes.activate(judge)
    url = reverse("manage:person_reset_two_factor", args=[judge.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url,
            {"reason": "Lost her phone; she called from her usual number."},
            follow=True,
        )

    assert response.redirect_chain == [(reverse("manage:person", args=[judge.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "The two-factor authentication of judge@example.org was reset. They were "
        "told by e-mail and will set it up again at their next sign-in."
    ]
    assert not Authenticator.objects.filter(user=judge).exists()
    event = AuditEvent.objects.for_object(judge).get(verb=AuditVerb.MFA_RESET)
    assert event.actor == staff_user
    assert event.reason == "Lost her phone; she called from her usual number."
    assert event.data == {"removed": ["recovery_codes", "totp"]}
    assert response.context["events"][0] == event

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["judge@example.org"]
    with translation.override(language):
        expected_date = date_format(timezone.localtime(event.at), "DATETIME_FORMAT")
    assert expected_date in message.body
    if language == Language.CHINESE:
        # Django's own zh-Hant date format: the mail was written in Chinese.
        assert "年" in expected_date
    else:
        assert message.subject == "Your two-factor authentication was reset"
        assert "you will be asked to set up an authenticator app again" in message.body
    assert f"{settings.SITE_URL}/accounts/login/" in message.body


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Please give the reason for resetting the two-factor authentication."),
        ("   ", "Please give the reason for resetting the two-factor authentication."),
        ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
        ("lost\x07phone", "Please remove control characters from the reason."),
    ],
)
def test_a_reset_without_a_proper_reason_is_refused_and_keeps_the_text(
    staff_client, reason, message
):
    judge = factories.make_judge()
    factories.activate_totp(judge)

    response = staff_client.post(
        reverse("manage:person_reset_two_factor", args=[judge.pk]), {"reason": reason}
    )

    assert response.status_code == 200
    assert response.context["reset_form"].errors == {"reason": [message]}
    assert escape(message) in response.text
    if reason.strip():
        assert response.context["reset_form"]["reason"].value() == reason
    assert Authenticator.objects.filter(user=judge).count() == 1
    assert not AuditEvent.objects.filter(verb=AuditVerb.MFA_RESET).exists()
    assert mail.outbox == []


def test_staff_cannot_reset_their_own_two_factor(staff_client, staff_user):
    response = staff_client.post(
        reverse("manage:person_reset_two_factor", args=[staff_user.pk]),
        {"reason": "I lost my phone"},
    )

    assert response.status_code == 200
    assert response.context["reset_form"].non_field_errors() == [
        "You cannot reset your own two-factor authentication. Ask another staff "
        "member, who can check that it is really you."
    ]
    assert Authenticator.objects.filter(user=staff_user).count() == 1


def test_resetting_somebody_without_two_factor_says_so(staff_client):
    person = factories.make_entrant()

    response = staff_client.post(
        reverse("manage:person_reset_two_factor", args=[person.pk]),
        {"reason": "asked by phone"},
    )

    assert response.context["reset_form"].non_field_errors() == [
        "This person has no two-factor authentication to reset."
    ]
    assert not AuditEvent.objects.filter(verb=AuditVerb.MFA_RESET).exists()


def test_after_a_reset_the_judge_sets_up_totp_again_before_judging(staff_client):
    judge = factories.make_judge()
    client = factories.sign_in_with_two_factor(Client(), judge)
    target = reverse("manage:people")
    assert client.get(target).status_code == 403

    staff_client.post(
        reverse("manage:person_reset_two_factor", args=[judge.pk]),
        {"reason": "lost phone, confirmed by video call"},
    )

    response = client.get(target)
    assert response.status_code == 302
    assert response.url == f"{reverse('mfa_activate_totp')}?next=%2Fmanage%2Fpeople%2F"


def submit_buttons(response):
    """Each submit button of the page's main part: its text and its data-confirm
    question (static/js/confirm.js asks it), "" when it asks nothing."""
    [main] = re.findall(r"<main\b.*?</main>", response.text, re.S)
    buttons = []
    for attrs, text in re.findall(r"<button ([^>]*)>(.*?)</button>", main, re.S):
        if 'type="submit"' not in attrs:
            continue
        question = re.search(r'data-confirm="([^"]*)"', attrs)
        buttons.append(
            (
                " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()),
                html.unescape(question.group(1)) if question else "",
            )
        )
    return buttons


def test_removing_a_role_and_resetting_two_factor_ask_first(staff_client):
    judge = factories.make_judge(email="judge@example.org")
    factories.activate_totp(judge)

    page = staff_client.get(reverse("manage:person", args=[judge.pk]))

    assert submit_buttons(page) == [
        ("Give the role “Staff”", ""),
        ("Remove the role “Judge”", "Remove the role “Judge” from judge@example.org?"),
        ("Give the role “Caseworker”", ""),
        (
            "Reset two-factor authentication",
            "Reset the two-factor authentication of judge@example.org? Their "
            "authenticator app and recovery codes stop working at once.",
        ),
    ]
