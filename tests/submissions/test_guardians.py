"""A guardian confirms the entry of an entrant under 18 through the mailed link: the
mail, the page with a real token, expired and tampered links, and resending."""

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState, GuardianState
from submissions.errors import EntryError
from submissions.models import Entry
from submissions.services.entries import update_entry, withdraw_entry
from submissions.services.guardians import (
    GUARDIAN_SALT,
    confirm_guardian,
    guardian_token,
    resend_guardian_mail,
)
from tests import factories
from tests.entry_factories import (
    make_complete_entry,
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


def minor_entry(*, language=Language.ENGLISH, guardian_email="parent@example.org"):
    entrant = factories.make_entrant(age=15, language=language)
    round_ = make_open_round()
    entry = make_complete_entry(
        round_, entrant=entrant, category=make_youth_category(round_)
    )
    update_entry(
        entry,
        data={"guardian_name": "Chan Mei", "guardian_email": guardian_email},
        by=entrant,
    )
    return entry


def submit(entry, capture):
    from submissions.services.entries import submit_entry

    with capture(execute=True):
        submit_entry(entry, by=entry.entrant)
    entry.refresh_from_db()
    return entry


def full_link_in(message):
    [url] = re.findall(r"https?://\S+/entries/guardian/\S+/", message.body)
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
def test_submitting_for_a_minor_mails_the_guardian_and_the_receipt(
    django_capture_on_commit_callbacks,
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)

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
def test_the_guardian_mail_is_in_the_entrants_language(
    django_capture_on_commit_callbacks,
):
    entry = submit(
        minor_entry(language=Language.CHINESE), django_capture_on_commit_callbacks
    )

    message = guardian_mail()
    context = {
        "entry": entry,
        "credit_name": "Tai",
        "confirm_url": full_link_in(message),
        "days": 30,
    }
    with translation.override("zh-hant"):
        body = render_to_string(
            "submissions/mail/guardian_confirmation_message.txt", context
        )
        subject = render_to_string(
            "submissions/mail/guardian_confirmation_subject.txt", context
        )
    assert message.body == body
    assert message.subject == " ".join(subject.split())
    assert "人性的色彩" in body
    assert "青年組" in body


@pytest.mark.django_db
def test_the_guardian_confirms_through_the_page(
    client, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
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

    assert (
        AuditEvent.objects.for_object(entry)
        .filter(to_state=GuardianState.CONFIRMED)
        .count()
        == 1
    )


@pytest.mark.django_db
def test_an_expired_link_is_explained_and_confirms_nothing(
    client, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
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
def test_a_tampered_link_is_refused_clearly(
    client, tamper, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
    url = reverse("guardian_confirm", args=[tamper(guardian_token(entry))])

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert INVALID in page_text(response)
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.PENDING


@pytest.mark.django_db
def test_a_link_to_a_replaced_guardian_no_longer_works(
    client, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
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
def test_a_withdrawn_entry_has_nothing_to_confirm(
    client, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
    url = reverse("guardian_confirm", args=[guardian_token(entry)])
    withdraw_entry(entry, by=entry.entrant)

    response = client.post(url)

    assert response.status_code == 410
    assert "This entry was withdrawn: there is nothing to confirm." in page_text(
        response
    )
    assert Entry.objects.get(pk=entry.pk).guardian_state == GuardianState.PENDING


@pytest.mark.django_db
def test_an_adult_entry_needs_no_guardian(
    entrant_user, django_capture_on_commit_callbacks
):
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=entrant_user)

    entry = submit(entry, django_capture_on_commit_callbacks)

    assert entry.guardian_state == GuardianState.NOT_NEEDED
    assert [message.to for message in mail.outbox] == [[entrant_user.email]]


@pytest.mark.django_db
def test_resending_is_limited_to_once_in_ten_minutes(
    django_capture_on_commit_callbacks,
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
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
    entrant_user, django_capture_on_commit_callbacks
):
    entry = submit(minor_entry(), django_capture_on_commit_callbacks)
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
