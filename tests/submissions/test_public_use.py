"""An artist changes the public uses of a submitted work at any time: the
page (entrant and filing caseworker only), the audit, and withdrawing the
website taking the work's public copies down and telling the apps above."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState
from submissions.errors import EntryError
from submissions.models import Entry, PublicCopy
from submissions.services.public_copies import public_storage
from submissions.services.public_use import set_public_uses
from submissions.signals import public_use_changed
from tests import factories
from tests.entry_factories import add_file, make_entry, make_open_round

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def submitted():
    round_ = make_open_round()
    entry = make_entry(
        round_,
        entrant=factories.make_entrant(),
        consent_website=True,
        consent_social=True,
    )
    Entry.objects.filter(pk=entry.pk).update(
        state=EntryState.SUBMITTED, reference="HRAP-2026-0042"
    )
    entry.refresh_from_db()
    return entry


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    public_use_changed.connect(receiver)
    yield calls
    public_use_changed.disconnect(receiver)


def url(entry):
    return reverse("entry_public_use", args=[entry.pk])


def test_withdrawing_the_website_takes_the_copies_down(
    client, submitted, heard, django_capture_on_commit_callbacks
):
    file = add_file(submitted)
    key = public_storage().save("works/test-copy-480.jpg", ContentFile(b"jpeg"))
    PublicCopy.objects.create(artwork_file=file, key=key, width=480, height=360, size=4)
    client.force_login(submitted.entrant)
    page = client.get(url(submitted))
    assert page.status_code == 200
    assert page.context["form"].initial["consent_website"] is True
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url(submitted), {"consent_social": "on"})
    assert answer.status_code == 302
    submitted.refresh_from_db()
    assert not submitted.consent_website and submitted.consent_social
    assert submitted.public_use_withdrawn_at is not None
    assert not public_storage().exists(key)
    assert not PublicCopy.objects.exists()
    assert heard == [
        {
            "signal": public_use_changed,
            "entry_id": submitted.pk,
            "round_id": submitted.round_id,
            "website": False,
        }
    ]
    event = AuditEvent.objects.filter(verb=AuditVerb.UPDATED).order_by("id").last()
    assert event.data == {"fields": ["consent_website"], "consent_website": False}
    # Agreeing again shows the work again.
    set_public_uses(submitted, data={"consent_website": True}, by=submitted.entrant)
    submitted.refresh_from_db()
    assert submitted.consent_website and submitted.public_use_withdrawn_at is None


def test_saving_the_same_changes_nothing(client, submitted, heard):
    client.force_login(submitted.entrant)
    answer = client.post(
        url(submitted), {"consent_website": "on", "consent_social": "on"}, follow=True
    )
    assert "Nothing changed." in answer.content.decode()
    assert heard == []


def test_a_draft_sets_its_public_use_with_the_entry(client, submitted):
    Entry.objects.filter(pk=submitted.pk).update(state=EntryState.DRAFT)
    client.force_login(submitted.entrant)
    answer = client.get(url(submitted))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("entry_edit", args=[submitted.pk])
    submitted.refresh_from_db()
    with pytest.raises(EntryError):
        set_public_uses(
            submitted, data={"consent_website": False}, by=submitted.entrant
        )


@pytest.mark.parametrize("who", ["other entrant", "staff", "judge"])
def test_only_the_artists_side_reaches_it(client, mfa_client, submitted, who):
    if who == "other entrant":
        client.force_login(factories.make_entrant())
    else:
        client = mfa_client(
            factories.make_staff() if who == "staff" else factories.make_judge()
        )
    assert client.post(url(submitted), {}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.consent_website
