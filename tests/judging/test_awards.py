"""The awards of a round: award types set up while the round is in judging,
given only to entries of the final stage (of the award's category, no more
than its number), citations, taking back, and deciding the round with every
problem listed until it is complete."""

import pytest

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import AwardKind, StageState
from judging.errors import AwardError
from judging.models import Award, AwardType
from judging.selectors.awards import awardable_entries, category_final_stages
from judging.services.awards import (
    create_award_type,
    decide_round,
    decision_problems,
    delete_award_type,
    give_award,
    move_award_type,
    set_citation,
    take_back_award,
    update_award_type,
)
from submissions.enums import RoundState
from tests import factories
from tests.judging.awards_fixtures import make_decidable_round
from tests.judging_factories import make_stage

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff():
    return factories.make_staff()


def special(**values):
    return {
        "kind": AwardKind.SPECIAL,
        "name_en": "Justice Centre Choice",
        "name_zh_hant": "公義中心之選",
        "category": None,
        "prize_en": "HK$10,000 and an exhibition",
        "prize_zh_hant": "港幣一萬元及展覽",
        "places": 1,
        **values,
    }


def events(obj, verb):
    return list(AuditEvent.objects.for_object(obj).filter(verb=verb))


# Award types -----------------------------------------------------------------


def test_award_types_are_added_in_order_and_audited(staff):
    round_, *_rest = make_decidable_round()
    first = create_award_type(round_, data=special(), by=staff)
    second = create_award_type(
        round_, data=special(name_en="InkluVision", name_zh_hant="共融視野"), by=staff
    )

    assert (first.position, second.position) == (0, 1)
    assert first.prize_en == "HK$10,000 and an exhibition"
    (event,) = events(first, AuditVerb.CREATED)
    assert event.actor == staff
    assert event.data["name_en"] == "Justice Centre Choice"
    assert event.data["places"] == 1


def test_a_category_winner_needs_its_category(staff):
    round_, *_rest = make_decidable_round()
    with pytest.raises(AwardError) as refused:
        create_award_type(
            round_, data=special(kind=AwardKind.CATEGORY_WINNER), by=staff
        )
    assert refused.value.code == "no_category"
    assert AwardType.objects.count() == 0


def test_an_award_type_needs_a_name_in_one_language_at_least(staff):
    round_, *_rest = make_decidable_round()
    with pytest.raises(AwardError) as refused:
        create_award_type(round_, data=special(name_en=" ", name_zh_hant=""), by=staff)
    assert refused.value.code == "no_name"


def test_a_category_of_another_round_is_refused(staff):
    round_, *_rest = make_decidable_round()
    other, *_rest = make_decidable_round()
    with pytest.raises(AwardError) as refused:
        create_award_type(
            round_, data=special(category=other.categories.first()), by=staff
        )
    assert refused.value.code == "other_round"


@pytest.mark.parametrize(
    "state", [RoundState.CLOSED, RoundState.DECIDED, RoundState.PUBLISHED]
)
def test_award_types_change_only_while_the_round_is_in_judging(staff, state):
    round_, *_rest = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    type(round_).objects.filter(pk=round_.pk).update(state=state)

    for act in (
        lambda: create_award_type(round_, data=special(), by=staff),
        lambda: update_award_type(award_type, data={"places": 2}, by=staff),
        lambda: move_award_type(award_type, up=False, by=staff),
        lambda: delete_award_type(award_type, by=staff),
    ):
        with pytest.raises(AwardError) as refused:
            act()
        expected = (
            "round_not_judging" if state == RoundState.CLOSED else "round_decided"
        )
        assert refused.value.code == expected
    assert list(AwardType.objects.values_list("places", flat=True)) == [1]


def test_an_award_type_is_updated_and_the_fields_audited(staff):
    round_, *_rest = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)

    changed = update_award_type(
        award_type, data=special(places=3, name_en="Jury Prize"), by=staff
    )

    assert changed == ["name_en", "places"]
    award_type.refresh_from_db()
    assert (award_type.name_en, award_type.places) == ("Jury Prize", 3)
    (event,) = events(award_type, AuditVerb.UPDATED)
    assert event.data == {
        "fields": ["name_en", "places"],
        "name_en": "Jury Prize",
        "places": 3,
    }
    assert (
        update_award_type(
            award_type, data=special(places=3, name_en="Jury Prize"), by=staff
        )
        == []
    )


def test_the_number_cannot_go_below_the_awards_given(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(places=2), by=staff)
    give_award(award_type, adult[0].pk, by=staff)
    give_award(award_type, adult[1].pk, by=staff)

    with pytest.raises(AwardError) as refused:
        update_award_type(award_type, data={"places": 1}, by=staff)

    assert refused.value.code == "places_below_given"


def test_a_category_cannot_be_set_while_given_to_another_category(staff):
    round_, _stage, adult, youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    give_award(award_type, adult[0].pk, by=staff)

    with pytest.raises(AwardError) as refused:
        update_award_type(award_type, data={"category": youth[0].category}, by=staff)

    assert refused.value.code == "given_outside_category"


def test_award_types_move_and_removing_one_takes_its_awards(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    first = create_award_type(round_, data=special(), by=staff)
    second = create_award_type(round_, data=special(name_en="InkluVision"), by=staff)
    give_award(first, adult[0].pk, by=staff)

    assert move_award_type(second, up=True, by=staff) is True
    assert move_award_type(second, up=True, by=staff) is False
    assert list(
        AwardType.objects.order_by("position").values_list("pk", flat=True)
    ) == [
        second.pk,
        first.pk,
    ]
    delete_award_type(first, by=staff)

    assert not Award.objects.exists()
    (event,) = events(first, AuditVerb.DELETED)
    assert event.data == {"name_en": "Justice Centre Choice", "entries": [adult[0].pk]}


# The final stage ---------------------------------------------------------------


def test_the_final_stage_of_each_category_is_the_last_that_no_stage_follows():
    round_, first, _adult, youth = make_decidable_round()
    adult_category, youth_category = round_.categories.order_by("id")
    final = make_stage(
        round_,
        categories=[adult_category],
        previous=first,
        position=1,
        state=StageState.SETUP,
    )

    finals = category_final_stages(round_.pk)

    # Youth is judged no further than the first stage; adults go on.
    assert finals == {adult_category.pk: final, youth_category.pk: first}
    assert set(awardable_entries(round_.pk)) == {work.pk for work in youth}


def test_an_entry_outside_the_final_stage_is_refused(staff):
    round_, first, adult, _youth = make_decidable_round()
    adult_category = adult[0].category
    make_stage(
        round_,
        categories=[adult_category],
        previous=first,
        position=1,
        state=StageState.FINALISED,
    )
    award_type = create_award_type(round_, data=special(), by=staff)

    with pytest.raises(AwardError) as refused:
        give_award(award_type, adult[0].pk, by=staff)

    assert refused.value.code == "not_awardable"


def test_an_entry_of_a_stage_not_finalised_is_refused(staff):
    round_, _stage, adult, _youth = make_decidable_round(state=StageState.CLOSED)
    award_type = create_award_type(round_, data=special(), by=staff)

    with pytest.raises(AwardError) as refused:
        give_award(award_type, adult[0].pk, by=staff)

    assert refused.value.code == "not_awardable"


def test_an_award_of_a_category_takes_only_that_categorys_entries(staff):
    round_, _stage, adult, youth = make_decidable_round()
    youth_award = create_award_type(
        round_,
        data=special(name_en="Youth Award", category=youth[0].category),
        by=staff,
    )

    with pytest.raises(AwardError) as refused:
        give_award(youth_award, adult[0].pk, by=staff)
    award, created = give_award(youth_award, youth[0].pk, by=staff)

    assert refused.value.code == "not_awardable"
    assert "Youth" in str(refused.value.message)
    assert created and award.entry_id == youth[0].pk


def test_an_award_goes_to_no_more_entries_than_its_number(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    mentions = create_award_type(
        round_,
        data=special(kind=AwardKind.HONOURABLE_MENTION, places=2),
        by=staff,
    )
    give_award(mentions, adult[0].pk, by=staff)
    give_award(mentions, adult[1].pk, by=staff)

    with pytest.raises(AwardError) as refused:
        give_award(mentions, adult[2].pk, by=staff)

    assert refused.value.code == "full"
    assert Award.objects.filter(award_type=mentions).count() == 2


def test_giving_an_award_again_to_the_same_entry_changes_nothing(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    award, created = give_award(
        award_type,
        adult[0].pk,
        by=staff,
        citation_en="Bold.",
        citation_zh_hant="大膽。",
    )
    again, created_again = give_award(award_type, adult[0].pk, by=staff)

    assert (created, created_again, again.pk) == (True, False, award.pk)
    (event,) = events(award, AuditVerb.CREATED)
    assert event.data == {
        "award_type": award_type.pk,
        "entry": adult[0].pk,
        "citation_en": "Bold.",
        "citation_zh_hant": "大膽。",
    }
    assert award.created_by == staff


# Citations and taking back ---------------------------------------------------------


def test_a_citation_is_set_and_audited(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)

    changed = set_citation(
        award,
        citation_en="  A quiet, fierce work.  ",
        citation_zh_hant="安靜而有力的作品。",
        by=staff,
    )

    award.refresh_from_db()
    assert changed == ["citation_en", "citation_zh_hant"]
    assert award.citation_en == "A quiet, fierce work."
    (event,) = events(award, AuditVerb.UPDATED)
    assert event.data["fields"] == ["citation_en", "citation_zh_hant"]


def test_a_citation_too_long_is_refused(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)

    with pytest.raises(AwardError) as refused:
        set_citation(award, citation_en="x" * 2001, citation_zh_hant="", by=staff)

    assert refused.value.code == "citation_too_long"


def test_an_award_is_taken_back_once(staff):
    round_, _stage, adult, _youth = make_decidable_round()
    award_type = create_award_type(round_, data=special(), by=staff)
    award, _created = give_award(award_type, adult[0].pk, by=staff)

    assert take_back_award(award, by=staff) is True
    assert take_back_award(award, by=staff) is False
    assert not Award.objects.exists()
    (event,) = events(award, AuditVerb.DELETED)
    assert event.data == {"award_type": award_type.pk, "entry": adult[0].pk}


# Deciding the round ---------------------------------------------------------------


def complete_awards(round_, adult, youth, staff):
    winner = create_award_type(
        round_,
        data=special(
            kind=AwardKind.CATEGORY_WINNER,
            name_en="Winner, Youth",
            name_zh_hant="青年組冠軍",
            category=youth[0].category,
        ),
        by=staff,
    )
    give_award(
        winner, youth[0].pk, by=staff, citation_en="Bright.", citation_zh_hant="明亮。"
    )
    choice = create_award_type(round_, data=special(), by=staff)
    give_award(
        choice, adult[0].pk, by=staff, citation_en="Brave.", citation_zh_hant="勇敢。"
    )
    return winner, choice


def test_a_complete_round_is_decided_and_audited(staff):
    round_, _stage, adult, youth = make_decidable_round()
    complete_awards(round_, adult, youth, staff)

    assert decision_problems(round_) == []
    assert decide_round(round_, by=staff) is True

    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED
    (event,) = events(round_, AuditVerb.STATE_CHANGED)
    assert (event.from_state, event.to_state, event.actor) == (
        RoundState.JUDGING,
        RoundState.DECIDED,
        staff,
    )
    assert decide_round(round_, by=staff) is False


def test_deciding_lists_every_problem(staff):
    round_, _stage, adult, _youth = make_decidable_round(state=StageState.CLOSED)
    empty = create_award_type(
        round_, data=special(name_zh_hant="", name_en="InkluVision"), by=staff
    )
    uncited = create_award_type(
        round_, data=special(kind=AwardKind.HONOURABLE_MENTION, places=2), by=staff
    )
    AwardType.objects.filter(pk=uncited.pk).update(places=1)
    for work in adult[:2]:
        Award.objects.create(
            award_type=uncited, entry=work, citation_en="Only English."
        )

    with pytest.raises(AwardError) as refused:
        decide_round(round_, by=staff)

    assert refused.value.code == "not_ready"
    assert refused.value.problems == [
        "Stage “First round” is not finalised (Closed).",
        "“InkluVision” needs a name in both languages.",
        "“InkluVision” is given to no entry yet.",
        "“Justice Centre Choice” may go to 1 entry but is given to 2.",
        "“Justice Centre Choice”: 2 awards need a citation in both languages.",
    ]
    round_.refresh_from_db()
    assert round_.state == RoundState.JUDGING
    assert events(round_, AuditVerb.STATE_CHANGED) == []
    assert empty.pk


def test_a_round_without_awards_or_stages_is_not_decided(staff):
    round_, stage, *_rest = make_decidable_round()
    stage.delete()

    with pytest.raises(AwardError) as refused:
        decide_round(round_, by=staff)

    assert refused.value.problems == [
        "The round has no judging stage.",
        "The round has no award yet.",
    ]


def test_a_round_not_in_judging_is_not_decided(staff):
    round_, *_rest = make_decidable_round()
    type(round_).objects.filter(pk=round_.pk).update(state=RoundState.CLOSED)

    with pytest.raises(AwardError) as refused:
        decide_round(round_, by=staff)

    assert refused.value.code == "round_not_judging"


def test_a_decided_round_keeps_its_awards(staff):
    round_, _stage, adult, youth = make_decidable_round()
    winner, _choice = complete_awards(round_, adult, youth, staff)
    decide_round(round_, by=staff)
    award = Award.objects.get(award_type=winner)

    for act in (
        lambda: give_award(winner, youth[1].pk, by=staff),
        lambda: set_citation(award, citation_en="", citation_zh_hant="", by=staff),
        lambda: take_back_award(award, by=staff),
    ):
        with pytest.raises(AwardError) as refused:
            act()
        assert refused.value.code == "round_decided"
    assert Award.objects.filter(pk=award.pk, citation_en="Bright.").exists()
