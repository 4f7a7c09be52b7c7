import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageMode, StageState, Visibility
from judging.errors import StageError
from judging.models import Criterion, Stage
from judging.services.stage_setup import (
    close_stage_now,
    create_stage,
    delete_criterion,
    finalise_stage,
    move_criterion,
    open_stage_now,
    reopen_stage,
    save_criterion,
    stage_warnings,
    update_stage,
)
from judging.services.stages import set_stage_state
from submissions.enums import RoundState
from tests.judging.stages_fixtures import (
    criterion_data,
    later,
    make_round_with_youth,
    ready_stage,
    stage_data,
)
from tests.judging_factories import make_judging_round, make_stage

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.fixture
def round_(db):
    return make_round_with_youth()


def audit_rows(obj):
    return list(
        AuditEvent.objects.for_object(obj)
        .order_by("pk")
        .values_list("verb", "actor_id", "from_state", "to_state", "reason", "data")
    )


# Creating a stage ---------------------------------------------------------------


def test_a_new_stage_is_in_setup_with_what_was_given(round_, staff_user):
    _adult, youth = round_.categories.order_by("position")
    stage = create_stage(
        round_,
        data=stage_data(round_, categories=[youth], mode=StageMode.VOTE),
        by=staff_user,
    )
    stage.refresh_from_db()
    assert (stage.round, stage.position, stage.state, stage.mode) == (
        round_,
        0,
        StageState.SETUP,
        StageMode.VOTE,
    )
    assert (stage.name_en, stage.name_zh_hant) == ("First round", "初選")
    assert list(stage.categories.all()) == [youth]
    assert stage.closes_at == stage_data(round_)["closes_at"]
    assert audit_rows(stage) == [
        (AuditVerb.CREATED, staff_user.pk, "", "", "", {"round": round_.pk})
    ]


def test_stages_are_placed_in_the_order_they_are_made(round_, staff_user):
    first = create_stage(round_, data=stage_data(round_), by=staff_user)
    second = create_stage(
        round_,
        data=stage_data(round_, name_en="Final", previous=first),
        by=staff_user,
    )
    assert (first.position, second.position) == (0, 1)
    assert second.previous == first


def test_a_new_seed_is_drawn_when_asked(round_, staff_user):
    stage = create_stage(round_, data=stage_data(round_), by=staff_user)
    seeds = {stage.seed}
    for _ in range(5):
        update_stage(stage, data={"new_seed": True}, by=staff_user)
        stage.refresh_from_db()
        seeds.add(stage.seed)
    assert len(seeds) > 1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name_en": "  "}, "names"),
        ({"name_zh_hant": ""}, "names"),
        ({"judges_per_entry": 0}, "numbers"),
        ({"min_judges": 51}, "numbers"),
        ({"ranking_size": 0}, "numbers"),
        ({"mode": "lottery"}, "choice"),
        (
            {"closes_at": timezone.now() - datetime.timedelta(minutes=1)},
            "closing_passed",
        ),
    ],
)
def test_a_stage_with_bad_settings_is_refused(round_, staff_user, overrides, code):
    with pytest.raises(StageError) as raised:
        create_stage(round_, data=stage_data(round_, **overrides), by=staff_user)
    assert raised.value.code == code
    assert not Stage.objects.exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.CREATED).exists()


def test_a_stage_opens_before_it_closes(round_, staff_user):
    closes = later(5)
    with pytest.raises(StageError) as raised:
        create_stage(
            round_,
            data=stage_data(round_, opens_at=closes, closes_at=closes),
            by=staff_user,
        )
    assert raised.value.code == "dates"
    assert str(raised.value.message) == (
        "The closing time must be after the opening time."
    )


def test_categories_come_from_the_stages_round(round_, staff_user):
    other = make_judging_round(entries=0)
    with pytest.raises(StageError) as raised:
        create_stage(
            round_,
            data=stage_data(round_, categories=list(other.categories.all())),
            by=staff_user,
        )
    assert raised.value.code == "categories"


def test_the_previous_stage_is_one_of_the_same_round(round_, staff_user):
    other = make_stage(make_judging_round(entries=0))
    with pytest.raises(StageError) as raised:
        create_stage(round_, data=stage_data(round_, previous=other), by=staff_user)
    assert raised.value.code == "previous"


def test_a_later_stage_judges_only_categories_of_the_stage_it_follows(
    round_, staff_user
):
    adult, youth = round_.categories.order_by("position")
    first = create_stage(
        round_, data=stage_data(round_, categories=[adult]), by=staff_user
    )
    with pytest.raises(StageError) as raised:
        create_stage(
            round_,
            data=stage_data(round_, previous=first, categories=[adult, youth]),
            by=staff_user,
        )
    assert raised.value.code == "categories"
    assert str(raised.value.message) == (
        "A stage judges only categories of the stage it follows: “First round” "
        "does not judge them all."
    )


def test_fewer_judges_per_entry_than_the_minimum_is_a_warning(round_, staff_user):
    stage = create_stage(
        round_,
        data=stage_data(round_, judges_per_entry=1, min_judges=3),
        by=staff_user,
    )
    assert [str(warning) for warning in stage_warnings(stage)] == [
        "Each entry gets 1 judges, fewer than the minimum of 3: every entry will "
        "be below the minimum."
    ]
    stage.assignment_mode = "all"
    assert stage_warnings(stage) == []


# Changing a stage ---------------------------------------------------------------


def test_everything_may_change_in_setup(round_, staff_user):
    _adult, youth = round_.categories.order_by("position")
    stage = create_stage(round_, data=stage_data(round_), by=staff_user)
    closes = later(20)
    update_stage(
        stage,
        data=stage_data(
            round_,
            name_en="Shortlist",
            categories=[youth],
            mode=StageMode.RANKING,
            ranking_size=5,
            blind=False,
            visibility=Visibility.NEVER,
            min_judges=4,
            judges_per_entry=4,
            opens_at=later(2),
            closes_at=closes,
        ),
        by=staff_user,
    )
    stage.refresh_from_db()
    assert (
        stage.name_en,
        stage.mode,
        stage.ranking_size,
        stage.blind,
        stage.visibility,
        stage.min_judges,
        stage.judges_per_entry,
        stage.closes_at,
    ) == ("Shortlist", "ranking", 5, False, "never", 4, 4, closes)
    assert list(stage.categories.all()) == [youth]
    assert audit_rows(stage)[-1] == (
        AuditVerb.UPDATED,
        staff_user.pk,
        "",
        "",
        "",
        {
            "fields": [
                "blind",
                "categories",
                "closes_at",
                "judges_per_entry",
                "min_judges",
                "mode",
                "name_en",
                "opens_at",
                "ranking_size",
                "visibility",
            ]
        },
    )


def test_saving_what_is_there_changes_nothing(round_, staff_user):
    data = stage_data(round_)
    stage = create_stage(round_, data=data, by=staff_user)
    update_stage(stage, data=data, by=staff_user)
    assert len(audit_rows(stage)) == 1


def test_a_stage_cannot_follow_itself_or_a_later_stage(round_, staff_user):
    first = create_stage(round_, data=stage_data(round_), by=staff_user)
    second = create_stage(
        round_, data=stage_data(round_, previous=first), by=staff_user
    )
    for previous in (first, second):
        with pytest.raises(StageError) as raised:
            update_stage(first, data={"previous": previous}, by=staff_user)
        assert raised.value.code == "previous"
    first.refresh_from_db()
    assert first.previous is None


def test_once_open_only_names_closing_time_and_visibility_change(staff_user):
    round_ = make_judging_round(entries=1)
    stage = ready_stage(round_)
    open_stage_now(stage, by=staff_user)
    closes = later(30)
    update_stage(
        stage,
        data={
            "name_en": "First look",
            "name_zh_hant": "初看",
            "closes_at": closes,
            "visibility": Visibility.AFTER_OWN,
        },
        by=staff_user,
    )
    stage.refresh_from_db()
    assert (stage.name_en, stage.name_zh_hant, stage.closes_at, stage.visibility) == (
        "First look",
        "初看",
        closes,
        "after_own",
    )
    for data in (
        {"mode": StageMode.VOTE},
        {"min_judges": 5},
        {"categories": []},
        {"new_seed": True},
        {"opens_at": later(1)},
    ):
        with pytest.raises(StageError) as raised:
            update_stage(stage, data=data, by=staff_user)
        assert raised.value.code == "not_in_setup"
    with pytest.raises(StageError) as raised:
        update_stage(
            stage,
            data={"closes_at": timezone.now() - datetime.timedelta(hours=1)},
            by=staff_user,
        )
    assert raised.value.code == "closing_passed"
    stage.refresh_from_db()
    assert (stage.mode, stage.min_judges, stage.closes_at) == ("criteria", 2, closes)


def test_a_closed_stage_gets_a_new_closing_time_only_by_reopening(staff_user):
    round_ = make_judging_round(entries=1)
    stage = ready_stage(round_)
    open_stage_now(stage, by=staff_user)
    close_stage_now(stage, by=staff_user)
    with pytest.raises(StageError) as raised:
        update_stage(stage, data={"closes_at": later(3)}, by=staff_user)
    assert raised.value.code == "closing_only_while_open"
    update_stage(stage, data={"name_en": "Heats"}, by=staff_user)
    stage.refresh_from_db()
    assert stage.name_en == "Heats"


# Criteria -----------------------------------------------------------------------


def test_criteria_are_added_in_order_and_audited(round_, staff_user):
    stage = make_stage(round_, criteria=0)
    first = save_criterion(None, stage=stage, data=criterion_data(), by=staff_user)
    second = save_criterion(
        None,
        stage=stage,
        data=criterion_data(name_en="Craft", weight=Decimal("1.5"), half_points=True),
        by=staff_user,
    )
    assert [
        (c.name_en, c.position, c.weight, c.half_points) for c in stage.criteria.all()
    ] == [
        ("Originality", 0, Decimal("2.00"), False),
        ("Craft", 1, Decimal("1.50"), True),
    ]
    assert audit_rows(first)[0][:2] == (AuditVerb.CREATED, staff_user.pk)
    assert audit_rows(second)[0][5]["stage"] == stage.pk


def test_a_criterion_changes_in_setup(round_, staff_user):
    stage = make_stage(round_, criteria=1)
    criterion = stage.criteria.get()
    save_criterion(
        criterion,
        stage=stage,
        data=criterion_data(scale_min=0, scale_max=100),
        by=staff_user,
    )
    criterion.refresh_from_db()
    assert (criterion.name_en, criterion.scale_min, criterion.scale_max) == (
        "Originality",
        0,
        100,
    )
    assert audit_rows(criterion)[-1][5] == {
        "stage": stage.pk,
        "fields": [
            "description_en",
            "description_zh_hant",
            "scale_max",
            "scale_min",
            "weight",
        ],
    }


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"name_en": " "}, "Give the criterion a name in English and in Chinese."),
        ({"name_zh_hant": ""}, "Give the criterion a name in English and in Chinese."),
        ({"weight": 0}, "The weight must be above 0 and at most 100."),
        ({"weight": Decimal("100.01")}, "The weight must be above 0 and at most 100."),
        (
            {"scale_min": 10, "scale_max": 10},
            "The lowest score must be below the highest, and both between 0 and 100.",
        ),
        (
            {"scale_min": 1, "scale_max": 101},
            "The lowest score must be below the highest, and both between 0 and 100.",
        ),
    ],
)
def test_a_criterion_with_bad_values_is_refused(round_, staff_user, overrides, problem):
    stage = make_stage(round_, criteria=0)
    with pytest.raises(StageError) as raised:
        save_criterion(
            None, stage=stage, data=criterion_data(**overrides), by=staff_user
        )
    assert [str(p) for p in raised.value.problems] == [problem]
    assert not Criterion.objects.exists()


def test_criteria_change_only_in_setup(staff_user):
    round_ = make_judging_round(entries=1)
    stage = ready_stage(round_)
    open_stage_now(stage, by=staff_user)
    criterion = stage.criteria.first()
    calls = [
        lambda: save_criterion(None, stage=stage, data=criterion_data(), by=staff_user),
        lambda: save_criterion(
            criterion, stage=stage, data=criterion_data(), by=staff_user
        ),
        lambda: delete_criterion(criterion, by=staff_user),
        lambda: move_criterion(criterion, up=False, by=staff_user),
    ]
    for call in calls:
        with pytest.raises(StageError) as raised:
            call()
        assert raised.value.code == "criteria_not_in_setup"
        assert str(raised.value.message) == (
            "Criteria can change only while the stage is being set up: once it has "
            "opened, judges' scores were given against them."
        )
    assert stage.criteria.count() == 2


def test_a_criterion_is_removed_and_the_removal_audited(round_, staff_user):
    stage = make_stage(round_, criteria=2)
    criterion = stage.criteria.first()
    delete_criterion(criterion, by=staff_user)
    assert [c.name_en for c in stage.criteria.all()] == ["Craft"]
    assert audit_rows(criterion)[-1][:2] == (AuditVerb.DELETED, staff_user.pk)


def test_criteria_move_up_and_down(round_, staff_user):
    stage = make_stage(round_, criteria=3)
    originality, craft, message = stage.criteria.all()
    assert move_criterion(message, up=True, by=staff_user) is True
    assert [c.name_en for c in stage.criteria.all()] == [
        "Originality",
        "Message",
        "Craft",
    ]
    assert move_criterion(originality, up=False, by=staff_user) is True
    assert [c.name_en for c in stage.criteria.all()] == [
        "Message",
        "Originality",
        "Craft",
    ]
    craft.refresh_from_db()
    assert move_criterion(craft, up=False, by=staff_user) is False
    message.refresh_from_db()
    assert move_criterion(message, up=True, by=staff_user) is False


# The buttons around the transitions -----------------------------------------------


def test_opening_an_unready_stage_lists_its_problems(round_, staff_user):
    stage = make_stage(round_, criteria=0)
    with pytest.raises(StageError) as raised:
        open_stage_now(stage, by=staff_user)
    assert [str(p) for p in raised.value.problems] == [
        "Add the criteria judges score.",
        "Add judges to the panel.",
        "Assign the entries to the judges.",
    ]
    stage.refresh_from_db()
    assert (stage.state, stage.opens_at) == (StageState.SETUP, None)


def test_opening_now_takes_the_round_to_judging(round_, staff_user):
    stage = ready_stage(round_, opens_at=later(3))
    open_stage_now(stage, by=staff_user)
    stage.refresh_from_db()
    round_.refresh_from_db()
    assert stage.state == StageState.OPEN
    assert stage.opens_at <= timezone.now()
    assert round_.state == RoundState.JUDGING


def test_closing_now_makes_now_the_closing_time(staff_user):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff_user)
    close_stage_now(stage, by=staff_user, reason="All scored")
    stage.refresh_from_db()
    assert stage.state == StageState.CLOSED
    assert stage.closes_at <= timezone.now()
    rows = audit_rows(stage)
    assert [row[0] for row in rows[-2:]] == [
        AuditVerb.DEADLINE_CHANGED,
        AuditVerb.STATE_CHANGED,
    ]
    assert rows[-1][2:5] == ("open", "closed", "All scored")


def test_reopening_needs_a_closing_time_still_to_come(staff_user):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff_user)
    close_stage_now(stage, by=staff_user)
    with pytest.raises(StageError) as raised:
        reopen_stage(
            stage,
            timezone.now() - datetime.timedelta(minutes=1),
            by=staff_user,
            reason="One judge was ill",
        )
    assert raised.value.code == "closing_passed"
    closes = later(2)
    reopen_stage(stage, closes, by=staff_user, reason="One judge was ill")
    stage.refresh_from_db()
    assert (stage.state, stage.closes_at) == (StageState.OPEN, closes)
    assert audit_rows(stage)[-1][2:5] == ("closed", "open", "One judge was ill")


def test_only_a_closed_stage_is_finalised(round_, staff_user):
    stage = ready_stage(round_)
    with pytest.raises(StageError) as raised:
        finalise_stage(stage, by=staff_user)
    assert raised.value.code == "not_closed"
    open_stage_now(stage, by=staff_user)
    close_stage_now(stage, by=staff_user)
    finalise_stage(stage, by=staff_user)
    stage.refresh_from_db()
    assert stage.state == StageState.FINALISED
    with pytest.raises(StageError):
        set_stage_state(stage, StageState.OPEN, by=staff_user)
    with pytest.raises(StageError) as raised:
        reopen_stage(stage, later(2), by=staff_user)
    assert raised.value.code == "not_closed"


def test_a_stage_keeps_the_categories_its_next_stages_judge(round_, staff_user):
    adult, youth = round_.categories.order_by("position")
    first = create_stage(round_, data=stage_data(round_), by=staff_user)
    create_stage(
        round_,
        data=stage_data(round_, name_en="Final", previous=first, categories=[youth]),
        by=staff_user,
    )
    update_stage(first, data={"categories": [youth]}, by=staff_user)
    with pytest.raises(StageError) as raised:
        update_stage(first, data={"categories": [adult]}, by=staff_user)
    assert str(raised.value.message) == (
        "“Final” follows this stage and judges categories it would no longer judge."
    )
    assert list(first.categories.all()) == [youth]
