"""Screening: staff decide each submitted entry of a closed round, with a reason for
ineligible; entrants learn the outcome when the results are released."""

import pytest
from django.conf import settings
from django.utils import translation

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, OutboxMessage
from submissions.enums import ConsentMethod, RoundState, ScreeningState
from submissions.errors import RoundError, ScreeningError
from submissions.models import Entry, ScreeningReason
from submissions.services.entries import submit_entry, update_entry, withdraw_entry
from submissions.services.rounds import close_round_now, reopen_round, set_round_state
from submissions.services.screening import (
    release_screening,
    screen_entries,
    screening_problems,
    set_content_warning,
    set_screening,
)
from tests import factories
from tests.entry_factories import (
    make_artist_without_email,
    make_complete_entry,
    make_open_round,
    make_submitted_entry,
)

pytestmark = pytest.mark.django_db

ELIGIBLE = ScreeningState.ELIGIBLE
INELIGIBLE = ScreeningState.INELIGIBLE
UNSCREENED = ScreeningState.UNSCREENED


def two_factor(user):
    user.passed_two_factor = True
    return user


@pytest.fixture
def staff():
    return two_factor(factories.make_staff(email="screener@example.org"))


@pytest.fixture
def colleague():
    return two_factor(factories.make_staff(email="colleague@example.org"))


@pytest.fixture
def reason():
    return ScreeningReason.objects.create(
        text_en="The work was made before the round's theme was announced.",
        text_zh_hant="作品於本屆主題公布前創作。",
    )


def closed_round_with(count, *, staff, languages=("en",), **fields):
    round_ = make_open_round(**fields)
    entries = []
    for number in range(count):
        language = languages[number % len(languages)]
        entrant = factories.make_entrant(language=language)
        entries.append(make_submitted_entry(round_, entrant=entrant))
    close_round_now(round_, by=staff)
    round_.refresh_from_db()
    return round_, entries


def test_staff_mark_an_entry_eligible_and_it_is_audited(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_screening(entry, ELIGIBLE, by=staff)

    entry.refresh_from_db()
    assert (entry.screening, entry.screened_by, entry.screening_reason) == (
        ELIGIBLE,
        staff,
        "",
    )
    assert entry.screened_at is not None
    event = AuditEvent.objects.for_object(entry).get(verb=AuditVerb.SCREENED)
    assert (event.from_state, event.to_state, event.actor) == (
        UNSCREENED,
        ELIGIBLE,
        staff,
    )


def test_ineligible_needs_a_reason(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)

    with pytest.raises(ScreeningError) as refused:
        set_screening(entry, INELIGIBLE, by=staff, text="   ")

    assert refused.value.code == "reason_needed"
    entry.refresh_from_db()
    assert entry.screening == UNSCREENED


def test_a_template_reason_is_kept_in_both_languages_as_chosen(staff, reason):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_screening(entry, INELIGIBLE, by=staff, template=reason)
    reason.text_en = "Edited afterwards."
    reason.save()

    entry.refresh_from_db()
    assert entry.screening_reason_en == (
        "The work was made before the round's theme was announced."
    )
    with translation.override("zh-hant"):
        assert entry.screening_reason == "作品於本屆主題公布前創作。"
    event = AuditEvent.objects.for_object(entry).get(verb=AuditVerb.SCREENED)
    assert event.reason == (
        "The work was made before the round's theme was announced.\n"
        "作品於本屆主題公布前創作。"
    )
    assert event.data == {"template": reason.pk}


def test_a_written_reason_is_read_as_written_in_both_languages(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_screening(entry, INELIGIBLE, by=staff, text="Two works in one entry.")

    entry.refresh_from_db()
    assert entry.screening_reason_en == entry.screening_reason_zh_hant
    assert entry.screening_reason_en == "Two works in one entry."


def test_a_round_still_open_cannot_be_screened(staff):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=factories.make_entrant())

    with pytest.raises(ScreeningError) as refused:
        set_screening(entry, ELIGIBLE, by=staff)

    assert refused.value.code == "round_not_closed"


def test_a_withdrawn_entry_is_not_screened(staff):
    round_ = make_open_round()
    entrant = factories.make_entrant()
    entry = make_submitted_entry(round_, entrant=entrant)
    withdraw_entry(entry, by=entrant)
    close_round_now(round_, by=staff)

    with pytest.raises(ScreeningError) as refused:
        set_screening(entry, ELIGIBLE, by=staff)

    assert refused.value.code == "not_submitted"


def test_only_staff_with_two_factor_screen(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)
    without_second_factor = factories.make_staff()

    for person in (without_second_factor, entry.entrant, None):
        with pytest.raises(ScreeningError) as refused:
            set_screening(entry, ELIGIBLE, by=person)
        assert refused.value.code == "not_allowed"


def test_the_later_of_two_decisions_is_refused_with_the_earlier_shown(staff, colleague):
    _round, (entry,) = closed_round_with(1, staff=staff)
    shown = Entry.objects.get(pk=entry.pk)  # both pages showed it unscreened

    set_screening(
        entry, INELIGIBLE, by=colleague, text="Not a new work.", seen=UNSCREENED
    )
    with pytest.raises(ScreeningError) as refused:
        set_screening(shown, ELIGIBLE, by=staff, seen=UNSCREENED)

    assert refused.value.code == "changed"
    assert refused.value.message == (
        f"{entry.reference} was screened by colleague@example.org meanwhile: "
        "“Not eligible: Not a new work.”. Your decision was not saved; look at "
        "theirs and decide again."
    )
    entry.refresh_from_db()
    assert entry.screening == INELIGIBLE


def test_the_same_decision_twice_is_one_decision(staff, colleague):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_screening(entry, ELIGIBLE, by=staff, seen=UNSCREENED)
    set_screening(entry, ELIGIBLE, by=colleague, seen=UNSCREENED)

    assert factories.audit_count(entry, verb=AuditVerb.SCREENED) == 1
    entry.refresh_from_db()
    assert entry.screened_by == staff


def test_a_decision_is_corrected_and_undone(staff, reason):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_screening(entry, INELIGIBLE, by=staff, template=reason)
    set_screening(entry, INELIGIBLE, by=staff, text="Another reason.")
    set_screening(entry, ELIGIBLE, by=staff)
    set_screening(entry, UNSCREENED, by=staff)

    entry.refresh_from_db()
    assert (entry.screening, entry.screening_reason_en, entry.screened_by) == (
        UNSCREENED,
        "",
        None,
    )
    assert factories.audit_count(entry, verb=AuditVerb.SCREENED) == 4


def test_bulk_decides_what_was_shown_and_reports_what_it_skipped(staff, colleague):
    round_, entries = closed_round_with(4, staff=staff)
    first, second, third, fourth = entries
    set_screening(second, INELIGIBLE, by=colleague, text="Late by post.")
    withdraw_entry(third, by=third.entrant)
    _other, (elsewhere,) = closed_round_with(1, staff=staff, year=2025)

    outcome = screen_entries(
        round_,
        {
            first.pk: UNSCREENED,
            second.pk: UNSCREENED,  # decided by a colleague since it was shown
            third.pk: UNSCREENED,
            fourth.pk: UNSCREENED,
            elsewhere.pk: UNSCREENED,
        },
        ELIGIBLE,
        by=staff,
    )

    assert outcome.done == [first.reference, fourth.reference]
    assert [reference for reference, _why in outcome.skipped] == [
        f"#{elsewhere.pk}",
        second.reference,
        third.reference,
    ]
    assert str(outcome.skipped[0][1]) == ("It is not an entry of this round.")
    states = dict(Entry.objects.filter(round=round_).values_list("pk", "screening"))
    assert states == {
        first.pk: ELIGIBLE,
        second.pk: INELIGIBLE,
        third.pk: UNSCREENED,
        fourth.pk: ELIGIBLE,
    }


def test_bulk_ineligible_needs_a_reason(staff):
    round_, (entry,) = closed_round_with(1, staff=staff)

    with pytest.raises(ScreeningError):
        screen_entries(round_, {entry.pk: UNSCREENED}, INELIGIBLE, by=staff)


def test_a_content_warning_with_a_note_for_judges(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)

    set_content_warning(entry, warning=True, note="Depicts self-harm.", by=staff)
    entry.refresh_from_db()
    assert (entry.content_warning, entry.content_warning_note) == (
        True,
        "Depicts self-harm.",
    )

    set_content_warning(entry, warning=False, note="ignored", by=staff)
    entry.refresh_from_db()
    assert (entry.content_warning, entry.content_warning_note) == (False, "")
    with pytest.raises(ScreeningError):
        set_content_warning(entry, warning=True, note="x" * 301, by=staff)


def test_release_is_refused_while_an_entry_is_unscreened(staff):
    round_, (first, _second) = closed_round_with(2, staff=staff)
    set_screening(first, ELIGIBLE, by=staff)

    with pytest.raises(ScreeningError) as refused:
        release_screening(round_, by=staff)

    assert refused.value.message == (
        "Every submitted entry must be screened before the results are released: "
        "1 are not."
    )
    round_.refresh_from_db()
    assert round_.screening_released_at is None


def test_release_mails_every_entrant_once_in_their_language(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    round_ = make_open_round()
    english_entrant = factories.make_entrant(language="en")
    english = make_submitted_entry(round_, entrant=english_entrant)
    second = make_submitted_entry(round_, entrant=english_entrant)
    chinese = make_submitted_entry(
        round_, entrant=factories.make_entrant(language="zh-hant")
    )
    close_round_now(round_, by=staff)
    round_.refresh_from_db()
    set_screening(english, INELIGIBLE, by=staff, text="The work is not original.")
    set_screening(second, ELIGIBLE, by=staff)
    set_screening(chinese, ELIGIBLE, by=staff)

    with django_capture_on_commit_callbacks(execute=True):
        release_screening(round_, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        release_screening(round_, by=staff)  # a double click

    assert len(mailoutbox) == 2
    by_address = {message.to[0]: message for message in mailoutbox}
    message = by_address[english.entrant.email]
    assert message.subject == f"{round_.title_en}: the screening of your entries"
    assert message.body == (
        f"The prize's staff have checked every entry to {round_.title_en} against "
        "its rules. This is the outcome for your entries:\n"
        "\n"
        f"{english.reference} “Harbour at Dusk”: Not eligible\n"
        "Reason: The work is not original.\n"
        f"{second.reference} “Harbour at Dusk”: Eligible\n"
        "\n"
        "Eligible entries go on to the judges. There is nothing more you need to "
        "do; we will write again when the results are published.\n"
        "\n"
        "If you think a decision is a mistake, please reply to this mail.\n"
        "\n"
        "You can see your entries here:\n"
        f"{settings.SITE_URL}/entries/\n"
        "\n"
        "With best wishes,\n"
        "Hong Kong Human Rights Arts Prize\n"
    )
    chinese_mail = by_address[chinese.entrant.email]
    assert "符合資格" in chinese_mail.body
    assert chinese.reference in chinese_mail.body
    event = AuditEvent.objects.for_object(round_).get(verb=AuditVerb.SCREENING_RELEASED)
    assert event.data == {"unscreened": 0, "eligible": 2, "ineligible": 1}


def test_a_caseworker_hears_for_an_artist_without_an_address(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    caseworker = factories.make_caseworker(email="case@example.org")
    artist = make_artist_without_email()
    round_ = make_open_round()
    entry = make_complete_entry(round_, entrant=artist, by=caseworker)
    update_entry(entry, data={"consent_method": ConsentMethod.IN_PERSON}, by=caseworker)
    submit_entry(entry, by=caseworker)
    close_round_now(round_, by=staff)
    set_screening(entry, ELIGIBLE, by=staff)

    with django_capture_on_commit_callbacks(execute=True):
        release_screening(round_, by=staff)

    (message,) = mailoutbox
    assert message.to == ["case@example.org"]
    assert "(You filed these entries for Maria Santos.)" in message.body


def test_a_correction_after_the_release_is_mailed(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    round_, (entry,) = closed_round_with(1, staff=staff)
    set_screening(entry, ELIGIBLE, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        release_screening(round_, by=staff)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        set_screening(entry, INELIGIBLE, by=staff, text="Made in 2019.")

    (message,) = mailoutbox
    assert message.subject == (
        f"{entry.reference}: the screening of your entry was corrected"
    )
    assert "It is now: Not eligible." in message.body
    assert "Reason: Made in 2019." in message.body


def test_nothing_is_mailed_before_the_release(staff):
    _round, (entry,) = closed_round_with(1, staff=staff)
    before = OutboxMessage.objects.count()

    set_screening(entry, ELIGIBLE, by=staff)

    assert OutboxMessage.objects.count() == before


def test_a_round_goes_to_judging_only_once_screened_and_released(staff):
    round_, (entry,) = closed_round_with(1, staff=staff)

    with pytest.raises(RoundError) as refused:
        set_round_state(round_, RoundState.JUDGING, by=staff)
    assert refused.value.problems == ["1 submitted entries are not screened yet."]

    set_screening(entry, ELIGIBLE, by=staff)
    assert screening_problems(round_) == [
        "The screening results have not been released yet."
    ]
    release_screening(round_, by=staff)
    set_round_state(round_, RoundState.JUDGING, by=staff)

    round_.refresh_from_db()
    assert round_.state == RoundState.JUDGING
    with pytest.raises(ScreeningError) as refused:
        set_screening(entry, INELIGIBLE, by=staff, text="Too late.")
    assert refused.value.code == "round_not_closed"


def test_a_round_cannot_reopen_once_screening_started(staff):
    import datetime

    from django.utils import timezone

    round_, (entry,) = closed_round_with(1, staff=staff)
    set_screening(entry, ELIGIBLE, by=staff)

    with pytest.raises(RoundError):
        reopen_round(round_, timezone.now() + datetime.timedelta(days=1), by=staff)
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
