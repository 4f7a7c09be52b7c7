"""A guardian confirms the entry of an entrant under 18 through the mailed link: the
mail, the page with a real token, expired and tampered links, and resending."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from artsprize.accounts.caseworkers import register_artist
from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState, GuardianState
from submissions.errors import EntryError
from submissions.models import Entry
from submissions.services.completeness import submission_problems
from submissions.services.entries import submit_entry, update_entry, withdraw_entry
from submissions.services.guardians import (
    GUARDIAN_SALT,
    confirm_guardian,
    guardian_token,
    resend_guardian_mail,
)
from tests import factories
from tests.entry_factories import (
    make_complete_entry,
    make_minor_entry,
    make_open_round,
    make_youth_category,
)

MINUTE = datetime.timedelta(minutes=1)
EXPIRED = (
    "This confirmation link has expired. Please ask the entrant to send the "
    "confirmation e-mail again from their entries."
)
INVALID = (
    "This confirmation link is not valid. Please use the link from the latest e-mail "
    "exactly as it was sent, or ask the entrant to send it again."
)


class SignedLongAgo(signing.TimestampSigner):
    """Signs as the clock read 31 days ago: a link older than the 30 days allowed."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit an entry as its entrant, its mails sent."""

    def run(entry):
        with django_capture_on_commit_callbacks(execute=True):
            submit_entry(entry, by=entry.entrant)
        entry.refresh_from_db()
        return entry

    return run


def full_link_in(message):
    [url] = re.findall(r"https?://\S+/entries/guardian/\S+/(?:\?\S+)?", message.body)
    return url


def link_in(message):
    """The path of the guardian's link in a mail, for the test client."""
    return urlsplit(full_link_in(message)).path


def guardian_mail():
    [message] = [m for m in mail.outbox if m.to == ["parent@example.org"]]
    return message


def page_text(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.django_db
def test_submitting_for_a_minor_mails_the_guardian_and_the_receipt(submit):
    entry = submit(make_minor_entry())

    assert (entry.state, entry.guardian_state) == (
        EntryState.SUBMITTED,
        GuardianState.PENDING,
    )
    assert entry.guardian_mailed_at == entry.submitted_at
    assert sorted(message.to[0] for message in mail.outbox) == [
        "parent@example.org",
        entry.entrant.email,
    ]
    message = guardian_mail()
    assert message.subject == "Please confirm the art prize entry of Tai"
    lines = message.body.splitlines()
    assert lines[:3] == [
        "Dear Chan Mei,",
        "",
        "Tai has entered a work in the Hong Kong Human Rights Arts Prize and named "
        "you as their parent or guardian. Because they are under 18, the entry counts "
        "only once you confirm that you agree to it.",
    ]
    assert lines[4:8] == [
        "Work: Harbour at Dusk",
        "Round: Colours of Humanity",
        "Category: Youth",
        f"Reference code: {entry.reference}",
    ]
    assert lines[9] == "To see the entry and confirm, open this link within 30 days:"
    receipt = next(m for m in mail.outbox if m.to == [entry.entrant.email])
    assert (
        "Because the entrant is under 18, we have asked Chan Mei to confirm the "
        "entry by e-mail. The entry is complete once they confirm."
    ) in receipt.body.splitlines()


@pytest.mark.django_db
def test_the_guardian_mail_is_in_the_entrants_language(submit):
    entry = submit(make_minor_entry(language=Language.CHINESE))

    message = guardian_mail()
    context = {
        "entry": entry,
        "credit_name": "Tai",
        "confirm_url": full_link_in(message),
        "days": 30,
    }
    factories.assert_mail_is(
        message,
        "submissions/mail/guardian_confirmation",
        context=context,
        language="zh-hant",
    )
    assert "人性的色彩" in message.body
    assert "青年組" in message.body


@pytest.mark.django_db
def test_the_guardian_confirms_through_the_page(client, submit):
    entry = submit(make_minor_entry())
    url = link_in(guardian_mail())

    shown = client.get(url)

    assert shown.status_code == 200
    text = page_text(shown)
    assert (
        "Entrant Tai Work Harbour at Dusk Round Colours of Humanity Category Youth "
        f"Reference code {entry.reference}"
    ) in text
    assert "I agree: confirm the entry" in text
    assert shown["Cache-Control"].startswith("max-age=0")

    confirmed = client.post(url)

    assert (confirmed.status_code, confirmed["Location"]) == (302, url)
    entry.refresh_from_db()
    assert entry.guardian_state == GuardianState.CONFIRMED
    assert entry.guardian_confirmed_at is not None
    event = AuditEvent.objects.for_object(entry).order_by("id").last()
    assert (event.actor, event.verb, event.from_state, event.to_state, event.data) == (
        None,
        AuditVerb.UPDATED,
        "pending",
        "confirmed",
        {"fields": ["guardian_state"], "guardian": "Chan Mei"},
    )
    after = page_text(client.get(url))
    assert "Thank you: you have confirmed the entry." in after
    assert "The entry was confirmed on" in after
    assert "I agree: confirm the entry" not in after

    client.post(url)

    assert factories.audit_count(entry, to_state=GuardianState.CONFIRMED) == 1


@pytest.mark.django_db
def test_an_expired_link_is_explained_and_confirms_nothing(client, submit):
    entry = submit(make_minor_entry())
    token = guardian_token(entry, signer=SignedLongAgo(salt=GUARDIAN_SALT))
    url = reverse("guardian_confirm", args=[token])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 410
        assert EXPIRED in page_text(response)
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.PENDING
    with pytest.raises(EntryError) as caught:
        confirm_guardian(token)
    assert caught.value.code == "link_expired"
    # The same link is still good within a longer window.
    assert confirm_guardian(token, max_age=datetime.timedelta(days=32)).pk == entry.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
        lambda token: "<b onmouseover=alert(1)>",
        lambda token: "你好",
        lambda token: signing.TimestampSigner(salt="another").sign_object(
            signing.TimestampSigner(salt=GUARDIAN_SALT).unsign_object(token)
        ),
        lambda token: signing.TimestampSigner(salt=GUARDIAN_SALT).sign_object(
            {"entry": "1; drop table", "email": "parent@example.org"}
        ),
        lambda token: signing.TimestampSigner(salt=GUARDIAN_SALT).sign_object([1, 2]),
    ],
    ids=[
        "last-char",
        "prefix",
        "garbage",
        "script",
        "cjk",
        "other-salt",
        "bad-id",
        "not-a-dict",
    ],
)
def test_a_tampered_link_is_refused_clearly(client, tamper, submit):
    entry = submit(make_minor_entry())
    url = reverse("guardian_confirm", args=[tamper(guardian_token(entry))])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert INVALID in page_text(response)
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.PENDING


@pytest.mark.django_db
def test_a_link_to_a_replaced_guardian_no_longer_works(
    submit, client, django_capture_on_commit_callbacks
):
    entry = submit(make_minor_entry())
    old_url = link_in(guardian_mail())
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        update_entry(
            entry, data={"guardian_email": "aunt@example.org"}, by=entry.entrant
        )

    assert client.get(old_url).status_code == 400
    entry.refresh_from_db()
    assert entry.guardian_state == GuardianState.PENDING
    [message] = mail.outbox
    assert message.to == ["aunt@example.org"]
    assert client.post(link_in(message)).status_code == 302
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.CONFIRMED


@pytest.mark.django_db
def test_a_withdrawn_entry_has_nothing_to_confirm(client, submit):
    entry = submit(make_minor_entry())
    url = reverse("guardian_confirm", args=[guardian_token(entry)])
    withdraw_entry(entry, by=entry.entrant)

    response = client.post(url)

    assert response.status_code == 410
    assert "This entry was withdrawn: there is nothing to confirm." in page_text(
        response
    )
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.PENDING


@pytest.mark.django_db
def test_an_adult_entry_needs_no_guardian(entrant_user, submit):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)

    entry = submit(entry)

    assert entry.guardian_state == GuardianState.NOT_NEEDED
    assert [message.to for message in mail.outbox] == [[entrant_user.email]]


@pytest.mark.django_db
def test_resending_is_limited_to_once_in_ten_minutes(
    submit, django_capture_on_commit_callbacks
):
    entry = submit(make_minor_entry())
    mailed = entry.guardian_mailed_at
    mail.outbox.clear()

    with pytest.raises(EntryError) as caught:
        resend_guardian_mail(entry, by=entry.entrant, now=mailed + 9 * MINUTE)
    assert (caught.value.code, str(caught.value)) == (
        "too_soon",
        "The guardian was sent the e-mail less than 10 minutes ago. Please wait a "
        "few minutes before sending it again.",
    )
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        resend_guardian_mail(entry, by=entry.entrant, now=mailed + 10 * MINUTE)

    assert [message.to for message in mail.outbox] == [["parent@example.org"]]
    assert Entry.objects.get(pk=entry.pk).guardian_mailed_at == mailed + 10 * MINUTE
    event = AuditEvent.objects.for_object(entry).order_by("id").last()
    assert (event.actor, event.verb, event.data) == (
        entry.entrant,
        AuditVerb.UPDATED,
        {"fields": ["guardian_mailed_at"], "guardian_mail": "resent"},
    )


@pytest.mark.django_db
def test_resending_is_refused_without_a_pending_confirmation_or_for_others(
    entrant_user, submit
):
    entry = submit(make_minor_entry())
    later = timezone.now() + datetime.timedelta(hours=1)

    with pytest.raises(EntryError) as caught:
        resend_guardian_mail(entry, by=entrant_user, now=later)
    assert caught.value.code == "not_allowed"

    confirm_guardian(guardian_token(entry))
    with pytest.raises(EntryError) as caught:
        resend_guardian_mail(entry, by=entry.entrant, now=later)
    assert (caught.value.code, str(caught.value)) == (
        "guardian_not_pending",
        "No guardian confirmation is waiting for this entry.",
    )


# --- The entrant is not their own guardian -------------------------------------------

OWN_ADDRESS = (
    "This is your own e-mail address. Give the e-mail address of your parent or "
    "guardian: they must confirm the entry themselves."
)
ARTISTS_ADDRESS = (
    "This is the artist's own e-mail address. Give the e-mail address of their "
    "parent or guardian: they must confirm the entry themselves."
)
SERVICE_OWN_ADDRESS = (
    "The guardian's e-mail address is one of the entrant's own. Give the address of "
    "a parent or guardian: they confirm the entry themselves."
)
ENTRANT_SESSION = (
    "You are signed in as the entrant. This link is for your parent or guardian: "
    "they must open it themselves, from their own e-mail. Nothing was confirmed."
)


def youth_entry_data(category, guardian_email):
    return {
        "category": category.pk,
        "title_en": "Harbour at Dusk",
        "medium": "Ink on paper",
        "statement": "A harbour at dusk.",
        "credit": "credit_name",
        "guardian_name": "Chan Mei",
        "guardian_email": guardian_email,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["primary in capitals", "second address"])
def test_the_entrant_cannot_give_their_own_address_for_the_guardian(client, which):
    entrant = factories.make_entrant(age=15, email="tai@example.org")
    EmailAddress.objects.create(user=entrant, email="Tai.School@Example.org")
    round_ = make_open_round()
    youth = make_youth_category(round_)
    address = (
        "TAI@example.ORG"
        if which == "primary in capitals"
        else ("tai.school@example.org")
    )
    client.force_login(entrant)

    response = client.post(
        reverse("entry_create", args=[round_.pk]), youth_entry_data(youth, address)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"guardian_email": [OWN_ADDRESS]}
    assert OWN_ADDRESS in page_text(response)
    assert f'value="{address}"' in response.text
    assert Entry.objects.exists() is False


@pytest.mark.django_db
def test_the_refusal_of_the_own_address_is_in_chinese(client):
    entrant = factories.make_entrant(
        age=15, email="tai@example.org", language=Language.CHINESE
    )
    round_ = make_open_round()
    youth = make_youth_category(round_)
    client.force_login(entrant)
    client.cookies["django_language"] = "zh-hant"

    response = client.post(
        reverse("entry_create", args=[round_.pk]),
        youth_entry_data(youth, "tai@example.org"),
    )

    assert response.context["form"].errors == {
        "guardian_email": [
            "這是您自己的電郵地址。請填寫您的家長或監護人的電郵地址：他們必須親自確認參賽作品。"
        ]
    }


@pytest.mark.django_db
def test_a_caseworker_cannot_give_the_artists_address_for_the_guardian(client):
    caseworker = factories.make_caseworker()
    today = timezone.localdate()
    artist = register_artist(
        by=caseworker,
        email="amina@example.org",
        language=Language.ENGLISH,
        data={
            "legal_name": "Amina Yusuf",
            "credit_name": "Amina",
            "date_of_birth": today.replace(year=today.year - 15),
            "hong_kong_based": True,
            "phone": "",
        },
    )
    round_ = make_open_round()
    youth = make_youth_category(round_)
    client.force_login(caseworker)
    url = reverse("entry_create", args=[round_.pk]) + f"?artist={artist.pk}"

    response = client.post(url, youth_entry_data(youth, "Amina@Example.org"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"guardian_email": [ARTISTS_ADDRESS]}
    assert response.context["form"].fields["guardian_name"].help_text == (
        "The artist is under 18 at the deadline: a parent or guardian must agree. "
        "They get an e-mail with a link to confirm."
    )
    assert Entry.objects.exists() is False
    # The caseworker's own address is not the artist's: a guardian may be reached
    # through the organisation.
    response = client.post(url, youth_entry_data(youth, caseworker.email))
    assert Entry.objects.get().guardian_email == caseworker.email


@pytest.mark.django_db
def test_the_services_refuse_the_entrants_own_address_for_the_guardian():
    entry = make_minor_entry()
    EmailAddress.objects.create(user=entry.entrant, email="second@example.org")

    for address in (entry.entrant.email.upper(), "Second@example.org"):
        with pytest.raises(EntryError) as caught:
            update_entry(entry, data={"guardian_email": address}, by=entry.entrant)
        assert (caught.value.code, caught.value.problems) == (
            "invalid",
            [SERVICE_OWN_ADDRESS],
        )
    assert Entry.objects.get(pk=entry.pk).guardian_email == "parent@example.org"


@pytest.mark.django_db
def test_an_entry_naming_the_entrant_as_guardian_cannot_be_submitted():
    """An address the entrant adds to their account after naming it for the guardian
    still keeps the entry from being submitted."""
    entry = make_minor_entry()
    EmailAddress.objects.create(user=entry.entrant, email="parent@example.org")

    assert SERVICE_OWN_ADDRESS in submission_problems(entry)
    with pytest.raises(EntryError):
        submit_entry(entry, by=entry.entrant)
    assert Entry.objects.get(pk=entry.pk).state == EntryState.DRAFT


@pytest.mark.django_db
def test_the_entrant_signed_in_cannot_confirm_their_own_entry(client, submit):
    entry = submit(make_minor_entry())
    url = link_in(guardian_mail())
    events = AuditEvent.objects.for_object(entry).count()
    client.force_login(entry.entrant)

    shown = client.get(url)
    posted = client.post(url)

    for response in (shown, posted):
        assert response.status_code == 403
        text = page_text(response)
        assert ENTRANT_SESSION in text
        assert "I agree: confirm the entry" not in text
    entry.refresh_from_db()
    assert (entry.guardian_state, entry.guardian_confirmed_at) == (
        GuardianState.PENDING,
        None,
    )
    assert AuditEvent.objects.for_object(entry).count() == events
    with pytest.raises(EntryError) as caught:
        confirm_guardian(guardian_token(entry), by=entry.entrant)
    assert caught.value.code == "entrant_session"

    client.logout()
    assert client.post(url).status_code == 302
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, heading",
    [
        (Language.CHINESE, "以家長或監護人身份確認參賽作品"),
        (Language.ENGLISH, "Confirm an entry as parent or guardian"),
    ],
)
def test_the_guardians_page_opens_in_the_language_of_the_mail(
    client, submit, language, heading
):
    submit(make_minor_entry(language=language))
    link = full_link_in(guardian_mail())
    assert urlsplit(link).query == f"lang={language}"
    # The guardian's browser last showed the site in the other language.
    client.cookies["django_language"] = (
        "en" if language == Language.CHINESE else "zh-hant"
    )

    opened = client.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert (opened.status_code, opened["Location"]) == (302, link_in(guardian_mail()))
    page = client.get(opened["Location"])

    assert page.status_code == 200
    assert f'<h1 class="h3">{heading}</h1>' in page.text


@pytest.mark.django_db
def test_the_guardian_can_switch_the_language_of_their_page(client, submit):
    submit(make_minor_entry(language=Language.CHINESE))
    link = full_link_in(guardian_mail())
    path = urlsplit(link).path
    page = client.get(path + "?" + urlsplit(link).query, follow=True)
    assert "以家長或監護人身份確認參賽作品" in page.text

    switched = client.post(
        reverse("set_language"), {"language": "en", "next": path}, follow=True
    )

    assert switched.redirect_chain == [(path, 302)]
    assert '<h1 class="h3">Confirm an entry as parent or guardian</h1>' in (
        switched.text
    )
