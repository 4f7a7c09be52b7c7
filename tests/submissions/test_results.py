"""Publishing a round's results for its entries: each entry's result, the
round published, one mail to each entrant in their language (the caseworker of
an artist without an address), nothing twice, and My entries showing the
result."""

import pytest
from django.core import mail
from django.urls import reverse

from artsprize.accounts.enums import Language
from submissions.enums import EntryState, ResultOutcome, RoundState, ScreeningState
from submissions.errors import RoundError
from submissions.models import Entry, Round
from submissions.services.results import publish_results
from tests import factories
from tests.judging_factories import make_eligible_entry, make_judging_round

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

AWARD = {"name_en": "Justice Centre Choice", "name_zh_hant": "正義中心之選"}
URL = "https://prize.example.org/news/results-2026/"


@pytest.fixture
def decided():
    """A decided round: an English entrant with two eligible works, a Chinese
    entrant with one and one found not eligible, and an artist without an
    address whose work a caseworker filed."""
    round_ = make_judging_round(entries=2, state=RoundState.DECIDED)
    category = round_.categories.get()
    english = list(Entry.objects.filter(round=round_).order_by("id"))
    chinese = factories.make_entrant(language=Language.CHINESE)
    theirs = make_eligible_entry(round_, category, chinese, title="Lion Rock")
    refused = make_eligible_entry(
        round_, category, chinese, title="Late", screening=ScreeningState.INELIGIBLE
    )
    artist = factories.make_entrant()
    type(artist).objects.filter(pk=artist.pk).update(email="")
    caseworker = factories.make_caseworker()
    filed = make_eligible_entry(
        round_, category, artist, title="Boats", filed_by=caseworker
    )
    return round_, english, theirs, refused, filed, caseworker


def outcomes_for(english, theirs):
    return {
        english[0].pk: (ResultOutcome.AWARDED, [AWARD]),
        theirs.pk: (ResultOutcome.SHORTLISTED, []),
    }


def test_publishing_records_results_and_mails_each_entrant_once(
    decided, django_capture_on_commit_callbacks
):
    round_, english, theirs, refused, filed, caseworker = decided
    staff = factories.make_staff()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_results(
            round_, outcomes=outcomes_for(english, theirs), results_url=URL, by=staff
        )
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    assert round_.published_at is not None and round_.results_url == URL
    results = dict(Entry.objects.values_list("pk", "result"))
    assert results[english[0].pk] == ResultOutcome.AWARDED
    assert results[english[1].pk] == ResultOutcome.NOT_SELECTED
    assert results[theirs.pk] == ResultOutcome.SHORTLISTED
    assert results[filed.pk] == ResultOutcome.NOT_SELECTED
    assert results[refused.pk] == ""
    assert Entry.objects.get(pk=english[0].pk).result_awards == [AWARD]

    to = {message.to[0]: message for message in mail.outbox if message.to}
    assert set(to) >= {english[0].entrant.email, theirs.entrant.email, caseworker.email}
    english_mail = to[english[0].entrant.email]
    assert "the results" in english_mail.subject
    assert "Awarded — Justice Centre Choice" in english_mail.body
    assert "Not selected this time" in english_mail.body
    assert URL in english_mail.body
    chinese_mail = to[theirs.entrant.email]
    assert "正義中心之選" not in chinese_mail.body
    assert "Shortlisted" not in chinese_mail.body
    assert "Lion Rock" in chinese_mail.body and "Late" in chinese_mail.body
    assert filed.reference in to[caseworker.email].body
    sent = len(mail.outbox)

    # A second call (a double click, a retry) changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert not publish_results(
            round_, outcomes=outcomes_for(english, theirs), results_url=URL, by=staff
        )
    assert len(mail.outbox) == sent


def test_only_a_decided_round_publishes(decided):
    round_, english, theirs, *_rest = decided
    Round.objects.filter(pk=round_.pk).update(state=RoundState.JUDGING)
    with pytest.raises(RoundError):
        publish_results(
            round_,
            outcomes=outcomes_for(english, theirs),
            results_url=URL,
            by=factories.make_staff(),
        )
    assert not Entry.objects.exclude(result="").exists()


def test_an_outcome_for_an_entry_not_judged_is_refused(decided):
    round_, _english, _theirs, refused, *_rest = decided
    with pytest.raises(ValueError, match="not an eligible entry"):
        publish_results(
            round_,
            outcomes={refused.pk: (ResultOutcome.SHORTLISTED, [])},
            results_url=URL,
            by=factories.make_staff(),
        )
    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED


def test_my_entries_shows_the_result_once_published(client, decided):
    round_, english, theirs, *_rest = decided
    client.force_login(english[0].entrant)
    page = client.get(reverse("my_entries")).content.decode()
    assert "data-result" not in page
    publish_results(
        round_,
        outcomes=outcomes_for(english, theirs),
        results_url=URL,
        by=factories.make_staff(),
    )
    page = client.get(reverse("my_entries")).content.decode()
    assert 'data-result="awarded"' in page
    assert "Justice Centre Choice" in page
    assert 'data-result="not_selected"' in page
    assert f'href="{URL}"' in page
    assert Entry.objects.filter(state=EntryState.SUBMITTED).count() == 5
