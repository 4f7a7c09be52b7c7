"""Advancing entries to the next stage: the pre-fill of the top N with a tie
at the cut shown, saving and closing the selection (assignments made, the
stage before finalised, outcomes recorded, entrants told nothing), what is
refused, and the staff page."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent, OutboxMessage
from judging.enums import StageOutcome, StageState
from judging.errors import StageError
from judging.models import Assignment, StageEntry
from judging.selectors.advancing import selection, stage_outcomes, top_entries
from judging.services.advancing import close_selection, save_selection
from judging.services.stage_setup import update_stage
from judging.services.stages import stage_problems
from submissions.models import Entry
from tests import factories
from tests.judging.advancing_fixtures import make_two_stages
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
    score,
)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff():
    return factories.make_staff()


# The pre-fill ------------------------------------------------------------------


def test_the_top_three_take_both_works_tied_at_the_cut():
    _first, second, works, _youth = make_two_stages()
    categories, prefilled = selection(second, by="raw", top=3)
    assert prefilled
    (adult,) = categories
    chosen = {c.row.entry_id for c in adult.candidates if c.chosen}
    assert chosen == {work.pk for work in works[:4]}
    assert adult.tie.rank == 3 and adult.tie.count == 2 and adult.tie.places == 1
    assert [c.row.entry_id for c in adult.candidates if c.at_cut] == [
        works[2].pk,
        works[3].pk,
    ]
    assert adult.top_chosen == 4 and adult.ranked == 5


def test_no_tie_is_reported_when_the_cut_falls_between_ranks():
    _first, second, works, _youth = make_two_stages()
    (adult,), _ = selection(second, by="raw", top=2)
    assert adult.tie is None
    assert {c.row.entry_id for c in adult.candidates if c.chosen} == {
        works[0].pk,
        works[1].pk,
    }


def test_a_tie_on_the_first_place_is_at_the_cut_of_one():
    rows = [
        type("Row", (), {"entry_id": n, "rank": rank})
        for n, rank in enumerate((1, 1, 3))
    ]
    taken, tie = top_entries(rows, 1)
    assert taken == {0, 1}
    assert (tie.rank, tie.count, tie.places) == (1, 2, 1)


def test_entries_without_a_score_are_never_pre_filled():
    _first, second, works, _youth = make_two_stages(totals=(9, 8))
    (adult,), _ = selection(second, by="raw", top=10)
    assert {c.row.entry_id for c in adult.candidates if c.chosen} == {
        works[0].pk,
        works[1].pk,
    }
    assert adult.ranked == 5


def test_the_saved_selection_is_shown_until_a_pre_fill_is_asked():
    _first, second, works, _youth = make_two_stages()
    staff = factories.make_staff()
    save_selection(second, [works[4].pk], by=staff)
    (adult,), prefilled = selection(second, by="raw")
    assert not prefilled
    assert [c.row.entry_id for c in adult.candidates if c.chosen] == [works[4].pk]
    (adult,), prefilled = selection(second, by="raw", top=1)
    assert prefilled
    assert [c.row.entry_id for c in adult.candidates if c.chosen] == [works[0].pk]


# Saving and closing --------------------------------------------------------------


def test_saving_makes_the_stages_entries_and_tells_no_entrant(staff):
    _first, second, works, _youth = make_two_stages()
    mail.outbox.clear()
    outbox_before = OutboxMessage.objects.count()
    assert save_selection(second, [w.pk for w in works[:3]], by=staff) == (3, 0)
    assert set(
        StageEntry.objects.filter(stage=second).values_list("entry_id", flat=True)
    ) == {w.pk for w in works[:3]}
    assert save_selection(second, [w.pk for w in works[:3]], by=staff) == (0, 0)
    assert save_selection(second, [works[0].pk, works[4].pk], by=staff) == (1, 2)
    event = (
        AuditEvent.objects.filter(verb=AuditVerb.SELECTION_SAVED).order_by("id").last()
    )
    assert event.data["chosen"] == [works[4].pk]
    assert sorted(event.data["dropped"]) == sorted([works[1].pk, works[2].pk])
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == outbox_before
    assert "Choose the entries advanced" in " ".join(
        str(problem) for problem in stage_problems(second)
    )


def test_closing_assigns_finalises_the_stage_before_and_records_the_outcome(staff):
    first, second, works, _youth = make_two_stages()
    chosen = [w.pk for w in works[:3]]
    save_selection(second, chosen, by=staff)
    mail.outbox.clear()
    assert close_selection(second, by=staff)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.selection_closed_at is not None
    assert first.state == StageState.FINALISED
    assert Assignment.objects.filter(stage=second).count() == 3 * 2
    assert set(
        Entry.objects.filter(shortlisted_at__isnull=False).values_list("pk", flat=True)
    ) == set(chosen)
    outcomes = stage_outcomes(first, [w.pk for w in works])
    assert set(outcomes) == set(chosen)
    assert str(outcomes[chosen[0]][0][1]) == "Shortlisted"
    assert AuditEvent.objects.filter(
        verb=AuditVerb.SELECTION_CLOSED, object_id=str(second.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        verb=AuditVerb.STATE_CHANGED, object_id=str(first.pk)
    ).exists()
    assert mail.outbox == []
    assert not [p for p in stage_problems(second) if "Choose the entries" in str(p)]
    # A second click changes nothing.
    assert not close_selection(second, by=staff)
    assert Assignment.objects.filter(stage=second).count() == 6


def test_a_longlist_keeps_no_files_past_retention(staff):
    first, second, works, _youth = make_two_stages(outcome=StageOutcome.LONGLISTED)
    save_selection(second, [works[0].pk], by=staff)
    close_selection(second, by=staff)
    assert not Entry.objects.filter(shortlisted_at__isnull=False).exists()
    outcomes = stage_outcomes(first, [works[0].pk])
    assert str(outcomes[works[0].pk][0][1]) == "Longlisted"


def test_a_different_choice_after_closing_opens_the_selection_again(staff):
    first, second, works, _youth = make_two_stages()
    save_selection(second, [works[0].pk, works[1].pk], by=staff)
    close_selection(second, by=staff)
    save_selection(second, [works[0].pk], by=staff)
    second.refresh_from_db()
    assert second.selection_closed_at is None
    assert not Assignment.objects.filter(stage=second).exists()
    assert not stage_outcomes(first, [works[0].pk])
    close_selection(second, by=staff)
    assert Assignment.objects.filter(stage=second).count() == 2


def test_changing_the_stages_categories_lets_go_of_entries_no_longer_judged(staff):
    _first, second, works, youth = make_two_stages()
    adult, youth_category = second.round.categories.order_by("id")
    update_stage(second, data={"categories": [adult, youth_category]}, by=staff)
    save_selection(second, [works[0].pk, youth[0].pk], by=staff)
    close_selection(second, by=staff)
    update_stage(second, data={"categories": [adult]}, by=staff)
    second.refresh_from_db()
    assert list(
        StageEntry.objects.filter(stage=second).values_list("entry_id", flat=True)
    ) == [works[0].pk]
    assert second.selection_closed_at is None
    assert not Assignment.objects.filter(stage=second).exists()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("other_category", "not_from_previous"),
        ("other_round", "not_from_previous"),
        ("previous_open", "previous_open"),
        ("stage_open", "not_in_setup"),
        ("first_stage", "first_stage"),
    ],
)
def test_what_cannot_be_chosen(staff, case, code):
    first, second, works, youth = make_two_stages()
    chosen = [works[0].pk]
    target = second
    if case == "other_category":
        chosen = [youth[0].pk]
    elif case == "other_round":
        chosen = [make_judging_round(entries=1).entries.get().pk]
    elif case == "previous_open":
        first.state = StageState.OPEN
        first.save(update_fields=["state"])
    elif case == "stage_open":
        second.state = StageState.OPEN
        second.save(update_fields=["state"])
    else:
        target = first
    with pytest.raises(StageError) as refused:
        save_selection(target, chosen, by=staff)
    assert refused.value.code == code
    assert not StageEntry.objects.filter(stage=second).exists()


def test_closing_needs_a_choice_and_a_panel(staff):
    first, second, works, _youth = make_two_stages()
    with pytest.raises(StageError) as refused:
        close_selection(second, by=staff)
    assert refused.value.code == "nothing_chosen"
    save_selection(second, [works[0].pk], by=staff)
    second.panel.all().delete()
    with pytest.raises(StageError) as refused:
        close_selection(second, by=staff)
    assert refused.value.code == "no_panel"
    first.refresh_from_db()
    assert first.state == StageState.CLOSED


# The page ------------------------------------------------------------------------


def selection_url(stage, **query):
    url = reverse("manage:stage_selection", args=[stage.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_staff_see_the_tie_and_advance_the_top_three(mfa_client, staff):
    first, second, works, _youth = make_two_stages()
    client = mfa_client(staff)
    page = client.get(selection_url(second, top=3, by="raw"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-tie="3"' in body
    assert body.count("data-at-cut") == 2
    assert "A tie at the cut." in body
    # Staff keep one of the tied works and send the three.
    chosen = [works[0].pk, works[1].pk, works[2].pk]
    answer = client.post(
        selection_url(second), {"entry": chosen, "action": "close"}, follow=True
    )
    assert answer.status_code == 200
    assert "The selection is closed: 3 entries" in answer.content.decode()
    assert set(
        StageEntry.objects.filter(stage=second).values_list("entry_id", flat=True)
    ) == set(chosen)
    # The results of the stage before say where its entries went.
    results = client.get(reverse("manage:stage_results", args=[first.pk]) + "?by=raw")
    assert results.content.decode().count("data-advanced") == 3


def test_a_bad_pre_fill_number_says_so(mfa_client, staff):
    _first, second, _works, _youth = make_two_stages()
    page = mfa_client(staff).get(selection_url(second, top="lots"))
    assert page.status_code == 200
    assert "Give a whole number from 1 to 1000." in page.content.decode()


def test_a_forged_choice_is_refused_and_changes_nothing(mfa_client, staff):
    _first, second, _works, youth = make_two_stages()
    client = mfa_client(staff)
    answer = client.post(selection_url(second), {"entry": ["1; drop"]})
    assert answer.status_code == 400
    answer = client.post(selection_url(second), {"entry": [youth[0].pk]})
    assert answer.status_code == 409
    assert "judged in this stage" in answer.content.decode()
    assert not StageEntry.objects.filter(stage=second).exists()


def test_a_first_stage_has_no_selection_page(mfa_client, staff):
    first, _second, _works, _youth = make_two_stages()
    assert mfa_client(staff).get(selection_url(first)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "entrant", "judge"])
def test_only_staff_choose(client, mfa_client, who):
    _first, second, works, _youth = make_two_stages()
    if who == "entrant":
        client.force_login(factories.make_entrant())
    elif who == "judge":
        client = mfa_client(second.panel.first().judge)
    answer = client.post(selection_url(second), {"entry": [works[0].pk]})
    assert answer.status_code in (302, 403)
    if answer.status_code == 302:
        assert "login" in answer["Location"]
    assert not StageEntry.objects.filter(stage=second).exists()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_reads_a_fixed_number_of_queries(mfa_client, staff):
    client = mfa_client(staff)
    small = make_two_stages(entries=1, totals=(5,))[1]
    large = make_two_stages(entries=50, totals=range(50))[1]
    for stage in (small, large):
        count_queries(client, selection_url(stage, top=3))
    assert count_queries(client, selection_url(small, top=3)) == count_queries(
        client, selection_url(large, top=3)
    )


def test_a_vote_stage_advances_its_yes_votes(mfa_client, staff):
    round_ = make_judging_round(entries=3)
    first = make_stage(round_, state=StageState.CLOSED, mode="vote")
    judge = factories.make_judge()
    add_to_panel(first, judge)
    assign_everyone(first, [judge])
    works = list(Entry.objects.filter(round=round_).order_by("id"))
    for work, vote in zip(works, ("no", "yes", "maybe"), strict=True):
        score(first, judge, work, vote=vote)
    second = make_stage(round_, previous=first, position=1)
    page = mfa_client(staff).get(selection_url(second, top=1))
    assert page.status_code == 200
    (adult,) = page.context["categories"]
    assert [c.row.entry_id for c in adult.candidates if c.chosen] == [works[1].pk]
    assert [c.row.entry_id for c in adult.candidates] == [
        works[1].pk,
        works[2].pk,
        works[0].pk,
    ]
