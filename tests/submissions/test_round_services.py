"""The round services: every state transition, the schedule, the deadline, edits by
state, the staff mail, beat's clock and two staff members acting at once."""

import datetime
import itertools
import logging
import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone, translation

from artsprize.accounts.enums import Language
from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import MediaKind, RoundState
from submissions.errors import RoundError
from submissions.models import Category, Round
from submissions.selectors import open_rounds, rounds_for_staff, upcoming_rounds
from submissions.services.rounds import (
    ALLOWED_TRANSITIONS,
    close_round_now,
    create_round,
    delete_category,
    extend_deadline,
    open_and_close_due_rounds,
    open_round_now,
    reopen_round,
    round_problems,
    save_category,
    schedule_round,
    set_round_state,
    unschedule_round,
    update_round,
)
from tests import factories
from tests.waiting import wait_until

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

ALLOWED = [
    (RoundState.DRAFT, RoundState.OPEN),
    (RoundState.OPEN, RoundState.CLOSED),
    (RoundState.CLOSED, RoundState.OPEN),
    (RoundState.CLOSED, RoundState.JUDGING),
    (RoundState.JUDGING, RoundState.DECIDED),
    (RoundState.DECIDED, RoundState.PUBLISHED),
]
REFUSED = [
    (old, new)
    for old, new in itertools.permutations(RoundState, 2)
    if (old, new) not in ALLOWED
]


def _pair_id(pair):
    return f"{pair[0].value}-to-{pair[1].value}"


def round_in(state, **fields):
    """A complete round in ``state``, open for entries now if it were open."""
    now = timezone.now()
    values = {"opens_at": now - DAY, "closes_at": now + 30 * DAY, "state": state}
    values.update(fields)
    return factories.make_round(**values)


def scheduled_draft(*, by):
    """A complete draft scheduled to open tomorrow."""
    round_ = round_in(RoundState.DRAFT, opens_at=timezone.now() + DAY)
    schedule_round(round_, by=by)
    return round_


def trail(obj):
    """The audit log of an object, oldest first, as (actor, verb, from, to, reason)."""
    return [
        (event.actor, event.verb, event.from_state, event.to_state, event.reason)
        for event in AuditEvent.objects.for_object(obj).order_by("id")
    ]


def row(round_):
    return Round.objects.filter(pk=round_.pk).values().get()


def refused(call, *args, **kwargs):
    """Call a service that must refuse; return its message (English, as tests run)."""
    with pytest.raises(RoundError) as caught:
        call(*args, **kwargs)
    return str(caught.value.message)


# --- The state machine -------------------------------------------------------------


def test_the_transition_table_is_the_documented_one():
    assert {
        (old, new) for old, targets in ALLOWED_TRANSITIONS.items() for new in targets
    } == set(ALLOWED)
    assert set(ALLOWED_TRANSITIONS) == set(RoundState)


@pytest.mark.django_db
@pytest.mark.parametrize("pair", ALLOWED, ids=_pair_id)
def test_allowed_transition_moves_the_round_and_audits_who_did_it(pair, staff_user):
    old, new = pair
    round_ = round_in(old)

    returned = set_round_state(round_, new, by=staff_user, reason="As planned")

    assert returned is round_
    assert round_.state == new
    round_.refresh_from_db()
    assert round_.state == new
    assert trail(round_) == [
        (staff_user, AuditVerb.STATE_CHANGED, old.value, new.value, "As planned")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("pair", REFUSED, ids=_pair_id)
def test_refused_transition_changes_nothing_and_audits_nothing(pair, staff_user):
    old, new = pair
    round_ = round_in(old)
    before = row(round_)

    message = refused(set_round_state, round_, new, by=staff_user)

    assert message == f"A round cannot go from “{old.label}” to “{new.label}”."
    assert row(round_) == before
    assert round_.state == old
    assert trail(round_) == []


def test_every_pair_of_states_is_either_allowed_or_refused():
    assert len(ALLOWED) + len(REFUSED) == len(RoundState) * (len(RoundState) - 1)


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(RoundState), ids=lambda state: state.value)
def test_moving_to_the_same_state_returns_early_without_audit(
    state, staff_user, django_capture_on_commit_callbacks
):
    round_ = round_in(state)
    before = row(round_)

    with django_capture_on_commit_callbacks() as callbacks:
        set_round_state(round_, state, by=staff_user)

    assert row(round_) == before
    assert trail(round_) == []
    assert callbacks == []


@pytest.mark.django_db
def test_opening_clears_the_schedule(staff_user):
    round_ = round_in(RoundState.DRAFT)
    schedule_round(round_, by=staff_user)

    set_round_state(round_, RoundState.OPEN, by=staff_user)

    round_.refresh_from_db()
    assert (round_.state, round_.is_scheduled) == (RoundState.OPEN, False)


@pytest.mark.django_db
def test_opening_after_the_closing_time_is_refused(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.CLOSED, opens_at=now - 2 * DAY, closes_at=now - DAY)

    message = refused(set_round_state, round_, RoundState.OPEN, by=staff_user)

    assert message == "The closing time has passed: set a later one first."
    assert row(round_)["state"] == RoundState.CLOSED
    assert trail(round_) == []


def _clear_round(field):
    def change(round_):
        Round.objects.filter(pk=round_.pk).update(**{field: ""})

    return change


def _change_category(**fields):
    def change(round_):
        round_.categories.update(**fields)

    return change


def _blank_dates(**fields):
    def change(round_):
        Round.objects.filter(pk=round_.pk).update(**fields)

    return change


INCOMPLETE = {
    "no-english-title": (_clear_round("title_en"), "The round needs an English title."),
    "no-chinese-title": (
        _clear_round("title_zh_hant"),
        "The round needs a Chinese title.",
    ),
    "no-english-theme": (_clear_round("theme_en"), "The round needs an English theme."),
    "no-chinese-theme": (
        _clear_round("theme_zh_hant"),
        "The round needs a Chinese theme.",
    ),
    "no-english-rules": (_clear_round("rules_en"), "The round needs English rules."),
    "no-chinese-rules": (
        _clear_round("rules_zh_hant"),
        "The round needs Chinese rules.",
    ),
    "blank-title": (
        lambda round_: Round.objects.filter(pk=round_.pk).update(title_en=" \n\t"),
        "The round needs an English title.",
    ),
    "no-opening-time": (
        _blank_dates(opens_at=None),
        "The round needs an opening and a closing time.",
    ),
    "no-closing-time": (
        _blank_dates(closes_at=None),
        "The round needs an opening and a closing time.",
    ),
    "no-category": (
        lambda round_: round_.categories.all().delete(),
        "The round needs at least one category.",
    ),
    "category-without-english-name": (
        _change_category(name_en=""),
        "Category “成人組 — 社區” needs a name in both languages.",
    ),
    "category-without-chinese-name": (
        _change_category(name_zh_hant=""),
        "Category “Adult — community” needs a name in both languages.",
    ),
    "category-without-chinese-description": (
        _change_category(description_zh_hant=""),
        "Category “Adult — community” needs a description in both languages.",
    ),
    "category-without-media": (
        _change_category(media_kinds=[]),
        "Category “Adult — community” accepts no kind of media.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", INCOMPLETE.values(), ids=INCOMPLETE.keys())
def test_opening_an_incomplete_round_is_refused_with_what_is_missing(
    case, staff_user, django_capture_on_commit_callbacks
):
    change, problem = case
    round_ = round_in(RoundState.DRAFT)
    change(round_)
    round_.refresh_from_db()
    before = row(round_)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RoundError) as caught,
    ):
        set_round_state(round_, RoundState.OPEN, by=staff_user)

    assert str(caught.value.message) == "The round is not complete enough to open."
    assert [str(line) for line in caught.value.problems] == [problem]
    assert row(round_) == before
    assert trail(round_) == []
    assert callbacks == []


@pytest.mark.django_db
def test_an_empty_round_lists_every_problem_in_order():
    round_ = Round.objects.create(year=2026)
    factories.make_category(
        round_, name_en="Youth", name_zh_hant="", description_zh_hant="", media_kinds=[]
    )

    assert [str(problem) for problem in round_problems(round_)] == [
        "The round needs an English title.",
        "The round needs a Chinese title.",
        "The round needs an English theme.",
        "The round needs a Chinese theme.",
        "The round needs English rules.",
        "The round needs Chinese rules.",
        "The round needs an opening and a closing time.",
        "Category “Youth” needs a name in both languages.",
        "Category “Youth” needs a description in both languages.",
        "Category “Youth” accepts no kind of media.",
    ]
    assert round_problems(factories.make_round()) == []


# --- Staff mail, queued on commit ---------------------------------------------------


@pytest.mark.django_db
def test_state_change_mails_each_staff_member_in_their_language_after_commit(
    django_capture_on_commit_callbacks,
):
    english = factories.make_staff(email="organiser@example.org")
    chinese = factories.make_staff(
        email="organiser-zh@example.org", language=Language.CHINESE
    )
    factories.make_staff(email="former@example.org", is_active=False)
    factories.make_judge(email="judge@example.org")
    factories.make_entrant(email="artist@example.org")
    round_ = round_in(RoundState.DRAFT)

    with django_capture_on_commit_callbacks() as callbacks:
        set_round_state(round_, RoundState.OPEN, by=english)
        # Nothing leaves before the transaction commits.
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []

    callbacks[0]()

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english.email, chinese.email])
    assert all(len(message.to) == 1 for message in mail.outbox)
    in_english = by_recipient[english.email]
    assert in_english.subject == "Colours of Humanity: Open for entries"
    assert in_english.body.startswith(
        "The round “Colours of Humanity” changed from “Draft” to “Open for entries”."
    )
    assert "人性的色彩" not in in_english.body
    in_chinese = by_recipient[chinese.email]
    with translation.override("zh-hant"):
        open_label = str(RoundState.OPEN.label)
    assert in_chinese.subject.startswith("人性的色彩")
    assert open_label in in_chinese.subject
    assert "人性的色彩" in in_chinese.body
    assert "Colours of Humanity" not in in_chinese.body
    # Rendering a mail in Chinese leaves the sender's language alone.
    assert translation.get_language() == "en"


@pytest.mark.django_db
def test_a_refused_move_queues_no_mail(staff_user, django_capture_on_commit_callbacks):
    round_ = round_in(RoundState.DRAFT)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused(set_round_state, round_, RoundState.CLOSED, by=staff_user)

    assert callbacks == []
    assert mail.outbox == []


# --- Schedule ----------------------------------------------------------------------


@pytest.mark.django_db
def test_scheduling_a_complete_draft_is_audited_once(staff_user):
    round_ = round_in(RoundState.DRAFT, opens_at=timezone.now() + DAY)

    schedule_round(round_, by=staff_user)
    schedule_round(round_, by=staff_user)

    round_.refresh_from_db()
    assert round_.is_scheduled is True
    events = list(AuditEvent.objects.for_object(round_))
    assert [(e.actor, e.verb) for e in events] == [(staff_user, AuditVerb.SCHEDULED)]
    assert events[0].data == {
        "opens_at": round_.opens_at.isoformat(),
        "closes_at": round_.closes_at.isoformat(),
    }
    assert list(upcoming_rounds()) == [round_]


@pytest.mark.django_db
def test_scheduling_an_incomplete_round_is_refused_with_its_problems(staff_user):
    round_ = round_in(RoundState.DRAFT, theme_zh_hant="")

    with pytest.raises(RoundError) as caught:
        schedule_round(round_, by=staff_user)

    assert str(caught.value.message) == "The round is not complete enough to schedule."
    assert [str(p) for p in caught.value.problems] == [
        "The round needs a Chinese theme."
    ]
    assert row(round_)["is_scheduled"] is False
    assert trail(round_) == []


@pytest.mark.django_db
def test_scheduling_after_the_closing_time_is_refused(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.DRAFT, opens_at=now - 2 * DAY, closes_at=now - DAY)

    assert refused(schedule_round, round_, by=staff_user) == (
        "The closing time has passed: set a later one first."
    )
    assert trail(round_) == []


@pytest.mark.django_db
def test_unscheduling_is_audited_with_its_reason_once(staff_user):
    round_ = scheduled_draft(by=staff_user)

    unschedule_round(round_, by=staff_user, reason="The jury is not ready")
    unschedule_round(round_, by=staff_user)

    assert round_.is_scheduled is False
    assert row(round_)["is_scheduled"] is False
    assert trail(round_) == [
        (staff_user, AuditVerb.SCHEDULED, "", "", ""),
        (staff_user, AuditVerb.UNSCHEDULED, "", "", "The jury is not ready"),
    ]
    assert list(upcoming_rounds()) == []


# --- Open now, close now, extend, reopen -------------------------------------------


@pytest.mark.django_db
def test_open_now_brings_the_opening_time_forward(staff_user):
    now = timezone.now()
    planned = now + DAY
    round_ = round_in(RoundState.DRAFT, opens_at=planned)
    schedule_round(round_, by=staff_user)

    open_round_now(round_, by=staff_user, now=now)

    assert (round_.state, round_.opens_at, round_.is_scheduled) == (
        RoundState.OPEN,
        now,
        False,
    )
    round_.refresh_from_db()
    assert (round_.state, round_.opens_at, round_.is_scheduled) == (
        RoundState.OPEN,
        now,
        False,
    )
    events = list(AuditEvent.objects.for_object(round_).order_by("id"))
    assert [(e.actor, e.verb, e.from_state, e.to_state) for e in events] == [
        (staff_user, AuditVerb.SCHEDULED, "", ""),
        (staff_user, AuditVerb.UPDATED, "", ""),
        (staff_user, AuditVerb.STATE_CHANGED, "draft", "open"),
    ]
    assert events[1].data == {
        "fields": ["opens_at"],
        "from": planned.isoformat(),
        "to": now.isoformat(),
    }
    assert list(open_rounds(now=now + HOUR)) == [round_]


@pytest.mark.django_db
def test_open_now_keeps_an_opening_time_already_past(staff_user):
    opened = timezone.now() - DAY
    round_ = round_in(RoundState.DRAFT, opens_at=opened)

    open_round_now(round_, by=staff_user)

    round_.refresh_from_db()
    assert (round_.state, round_.opens_at) == (RoundState.OPEN, opened)
    assert [verb for _, verb, *_ in trail(round_)] == [AuditVerb.STATE_CHANGED]


@pytest.mark.django_db
def test_open_now_after_the_closing_time_changes_nothing(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.DRAFT, opens_at=now + HOUR, closes_at=now + 2 * HOUR)
    before = row(round_)

    message = refused(open_round_now, round_, by=staff_user, now=now + 3 * HOUR)

    assert message == "The closing time has passed: set a later one first."
    assert row(round_) == before
    assert trail(round_) == []


@pytest.mark.django_db
def test_open_now_of_an_incomplete_round_changes_nothing(staff_user):
    round_ = round_in(RoundState.DRAFT, opens_at=timezone.now() + DAY, rules_en="")
    before = row(round_)

    with pytest.raises(RoundError) as caught:
        open_round_now(round_, by=staff_user)

    assert [str(p) for p in caught.value.problems] == ["The round needs English rules."]
    assert row(round_) == before
    assert trail(round_) == []


@pytest.mark.django_db
def test_close_now_makes_now_the_deadline(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.OPEN)
    planned = round_.closes_at

    close_round_now(round_, by=staff_user, reason="Venue lost", now=now)

    assert (round_.state, round_.closes_at) == (RoundState.CLOSED, now)
    round_.refresh_from_db()
    assert (round_.state, round_.closes_at) == (RoundState.CLOSED, now)
    events = list(AuditEvent.objects.for_object(round_).order_by("id"))
    assert [(e.verb, e.from_state, e.to_state, e.reason) for e in events] == [
        (AuditVerb.DEADLINE_CHANGED, "", "", "Venue lost"),
        (AuditVerb.STATE_CHANGED, "open", "closed", "Venue lost"),
    ]
    assert events[0].data == {"from": planned.isoformat(), "to": now.isoformat()}
    assert {e.actor for e in events} == {staff_user}
    assert list(open_rounds(now=now - HOUR)) == []


@pytest.mark.django_db
def test_close_now_after_the_deadline_keeps_the_deadline(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.OPEN, closes_at=now - HOUR)

    close_round_now(round_, by=staff_user, now=now)

    round_.refresh_from_db()
    assert (round_.state, round_.closes_at) == (RoundState.CLOSED, now - HOUR)
    assert [verb for _, verb, *_ in trail(round_)] == [AuditVerb.STATE_CHANGED]


@pytest.mark.django_db
def test_extend_deadline_moves_it_later_and_audits_both_times(staff_user):
    round_ = round_in(RoundState.OPEN)
    planned = round_.closes_at
    later = planned + 2 * DAY

    extend_deadline(round_, later, by=staff_user, reason="Typhoon signal 8")

    assert (round_.state, round_.closes_at) == (RoundState.OPEN, later)
    assert row(round_)["closes_at"] == later
    event = AuditEvent.objects.for_object(round_).get()
    assert (event.actor, event.verb, event.reason, event.data) == (
        staff_user,
        AuditVerb.DEADLINE_CHANGED,
        "Typhoon signal 8",
        {"from": planned.isoformat(), "to": later.isoformat()},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (-HOUR, "The new deadline must be later than the current one."),
        (datetime.timedelta(0), "The new deadline must be later than the current one."),
    ],
    ids=["earlier", "same"],
)
def test_extend_deadline_refuses_an_earlier_or_equal_deadline(
    shift, message, staff_user
):
    round_ = round_in(RoundState.OPEN)
    before = row(round_)

    assert (
        refused(extend_deadline, round_, round_.closes_at + shift, by=staff_user)
        == message
    )
    assert row(round_) == before
    assert trail(round_) == []


@pytest.mark.django_db
def test_extend_deadline_refuses_a_deadline_in_the_past(staff_user):
    # Past its deadline, not yet closed by beat: a later time still in the past.
    now = timezone.now()
    round_ = round_in(RoundState.OPEN, opens_at=now - DAY, closes_at=now - 2 * HOUR)
    before = row(round_)

    message = refused(extend_deadline, round_, now - HOUR, by=staff_user, now=now)

    assert message == "The new deadline must be in the future."
    assert row(round_) == before


@pytest.mark.django_db
def test_reopen_a_closed_round_until_a_new_deadline(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.CLOSED, closes_at=now - HOUR)
    new_deadline = now + 3 * DAY

    reopen_round(round_, new_deadline, by=staff_user, reason="Server outage")

    round_.refresh_from_db()
    assert (round_.state, round_.closes_at) == (RoundState.OPEN, new_deadline)
    assert trail(round_) == [
        (staff_user, AuditVerb.DEADLINE_CHANGED, "", "", "Server outage"),
        (staff_user, AuditVerb.STATE_CHANGED, "closed", "open", "Server outage"),
    ]


@pytest.mark.django_db
def test_reopen_needs_a_deadline_in_the_future(staff_user):
    now = timezone.now()
    round_ = round_in(RoundState.CLOSED, closes_at=now - 2 * HOUR)
    before = row(round_)

    message = refused(reopen_round, round_, now - HOUR, by=staff_user, now=now)

    assert message == "The new deadline must be in the future."
    assert row(round_) == before


# Each action on a round, the one state it needs and what it says in any other.
NEEDS_STATE = {
    "schedule": (
        RoundState.DRAFT,
        lambda round_, by: schedule_round(round_, by=by),
        "Only a draft round can be scheduled.",
    ),
    "open": (
        RoundState.DRAFT,
        lambda round_, by: open_round_now(round_, by=by),
        "Only a draft round can be opened.",
    ),
    "close": (
        RoundState.OPEN,
        lambda round_, by: close_round_now(round_, by=by),
        "Only an open round can be closed.",
    ),
    "extend": (
        RoundState.OPEN,
        lambda round_, by: extend_deadline(round_, round_.closes_at + DAY, by=by),
        "Only an open round's deadline can be extended.",
    ),
    "reopen": (
        RoundState.CLOSED,
        lambda round_, by: reopen_round(
            round_, timezone.now() + 3 * DAY, by=by, reason="Late"
        ),
        "Only a closed round whose judging has not started can be reopened.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "state"),
    [
        pytest.param(action, state, id=f"{action}-{state}")
        for action, (needed, _, _) in NEEDS_STATE.items()
        for state in RoundState
        if state != needed
    ],
)
def test_an_action_in_another_state_is_refused_and_changes_nothing(
    action, state, staff_user
):
    _, call, message = NEEDS_STATE[action]
    round_ = round_in(state)
    before = row(round_)

    assert refused(call, round_, by=staff_user) == message
    assert row(round_) == before
    assert trail(round_) == []


# --- Editing a round and its categories by state -----------------------------------


@pytest.mark.django_db
def test_create_round_starts_a_draft_and_audits_it(staff_user):
    now = timezone.now()
    round_ = create_round(
        data={
            "year": 2027,
            "title_en": "Shared Future",
            "opens_at": now + DAY,
            "closes_at": now + 30 * DAY,
            "state": RoundState.PUBLISHED,
            "is_scheduled": True,
        },
        by=staff_user,
    )

    round_.refresh_from_db()
    assert (round_.year, round_.title_en, round_.state, round_.is_scheduled) == (
        2027,
        "Shared Future",
        RoundState.DRAFT,
        False,
    )
    assert trail(round_) == [(staff_user, AuditVerb.CREATED, "", "", "")]


@pytest.mark.django_db
def test_create_round_refuses_a_close_before_the_open(staff_user):
    now = timezone.now()

    message = refused(
        create_round,
        data={"year": 2027, "opens_at": now + DAY, "closes_at": now},
        by=staff_user,
    )

    assert message == "The closing time must be after the opening time."
    assert Round.objects.count() == 0


@pytest.mark.django_db
def test_a_draft_can_change_every_field_and_the_change_is_audited(staff_user):
    round_ = round_in(RoundState.DRAFT)
    now = timezone.now()
    data = {
        "title_en": "Colours",
        "title_zh_hant": "色彩",
        "theme_en": "Us",
        "theme_zh_hant": "我們",
        "rules_en": "Be kind.",
        "rules_zh_hant": "友善。",
        "year": 2030,
        "opens_at": now + 2 * DAY,
        "closes_at": now + 9 * DAY,
        "entry_cap": 3,
        "minimum_age": 12,
        "upload_grace_minutes": 15,
    }

    returned = update_round(round_, data=data, by=staff_user)

    assert returned is round_
    stored = row(round_)
    assert {field: stored[field] for field in data} == data
    assert {field: getattr(round_, field) for field in data} == data
    event = AuditEvent.objects.for_object(round_).get()
    assert (event.actor, event.verb, event.data) == (
        staff_user,
        AuditVerb.UPDATED,
        {"fields": sorted(data)},
    )


@pytest.mark.django_db
def test_update_without_a_change_is_not_audited(staff_user):
    round_ = round_in(RoundState.DRAFT)

    update_round(
        round_, data={"title_en": round_.title_en, "year": round_.year}, by=staff_user
    )

    assert trail(round_) == []


@pytest.mark.django_db
def test_update_ignores_state_and_schedule_fields(staff_user):
    round_ = round_in(RoundState.DRAFT)
    before = row(round_)

    update_round(
        round_,
        data={"state": RoundState.PUBLISHED, "is_scheduled": True},
        by=staff_user,
    )

    assert row(round_) == before
    assert trail(round_) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state", [s for s in RoundState if s != RoundState.DRAFT], ids=str
)
def test_after_opening_only_texts_change(state, staff_user):
    round_ = round_in(state)

    update_round(
        round_,
        data={"title_en": "Humanity in Colour", "closes_at": round_.closes_at},
        by=staff_user,
    )

    assert row(round_)["title_en"] == "Humanity in Colour"
    assert [verb for _, verb, *_ in trail(round_)] == [AuditVerb.UPDATED]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "shift"),
    [("opens_at", HOUR), ("closes_at", DAY), ("entry_cap", 1), ("year", 1)],
)
@pytest.mark.parametrize(
    "state", [s for s in RoundState if s != RoundState.DRAFT], ids=str
)
def test_after_opening_dates_and_limits_are_refused(state, field, shift, staff_user):
    round_ = round_in(state)
    before = row(round_)

    message = refused(
        update_round,
        round_,
        data={"title_en": "Changed", field: getattr(round_, field) + shift},
        by=staff_user,
    )

    assert message == (
        "Once a round has opened, only its title, theme, rules and how long its "
        "files are kept can change."
    )
    assert row(round_) == before
    assert trail(round_) == []


@pytest.mark.django_db
def test_update_refuses_a_close_before_the_open(staff_user):
    round_ = round_in(RoundState.DRAFT)
    before = row(round_)

    message = refused(
        update_round,
        round_,
        data={"closes_at": round_.opens_at - HOUR},
        by=staff_user,
    )

    assert message == "The closing time must be after the opening time."
    assert row(round_) == before


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_a_scheduled_round_whose_dates_change_is_unscheduled(field, staff_user):
    round_ = scheduled_draft(by=staff_user)

    update_round(round_, data={field: getattr(round_, field) + HOUR}, by=staff_user)

    assert round_.is_scheduled is False
    assert row(round_)["is_scheduled"] is False
    assert trail(round_) == [
        (staff_user, AuditVerb.SCHEDULED, "", "", ""),
        (staff_user, AuditVerb.UPDATED, "", "", ""),
        (
            staff_user,
            AuditVerb.UNSCHEDULED,
            "",
            "",
            "The opening or closing time changed.",
        ),
    ]


@pytest.mark.django_db
def test_a_scheduled_round_stays_scheduled_when_its_texts_change(staff_user):
    round_ = scheduled_draft(by=staff_user)

    update_round(round_, data={"rules_en": "Entry is free for all."}, by=staff_user)

    assert row(round_)["is_scheduled"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param(
            lambda round_, by: update_round(round_, data={"theme_zh_hant": ""}, by=by),
            "The round needs a Chinese theme.",
            id="made-incomplete",
        ),
        pytest.param(
            lambda round_, by: delete_category(round_.categories.get(), by=by),
            "The round needs at least one category.",
            id="losing-its-last-category",
        ),
        pytest.param(
            lambda round_, by: save_category(
                round_.categories.get(), data={"media_kinds": []}, by=by
            ),
            "Category “Adult — community” accepts no kind of media.",
            id="category-accepting-nothing",
        ),
    ],
)
def test_a_scheduled_round_no_longer_complete_is_unscheduled(
    change, reason, staff_user
):
    round_ = scheduled_draft(by=staff_user)

    change(round_, by=staff_user)

    assert row(round_)["is_scheduled"] is False
    assert trail(round_)[-1] == (staff_user, AuditVerb.UNSCHEDULED, "", "", reason)


CATEGORY_TEXT = {
    "name_en": "Youth",
    "name_zh_hant": "青年組",
    "description_en": "Under 18 at the deadline.",
    "description_zh_hant": "截止日期時未滿 18 歲。",
}


@pytest.mark.django_db
def test_a_draft_gains_a_category_at_the_end(staff_user):
    round_ = round_in(RoundState.DRAFT)

    category = save_category(
        Category(round=round_),
        data={
            **CATEGORY_TEXT,
            "media_kinds": [MediaKind.IMAGE, "hologram"],
            "max_age": 17,
        },
        by=staff_user,
    )

    category.refresh_from_db()
    assert (category.round, category.position, category.media_kinds) == (
        round_,
        1,
        [MediaKind.IMAGE],
    )
    event = AuditEvent.objects.for_object(category).get()
    assert (event.actor, event.verb, event.data) == (
        staff_user,
        AuditVerb.CREATED,
        {
            "round": round_.pk,
            "fields": sorted([*CATEGORY_TEXT, "max_age", "media_kinds"]),
        },
    )


@pytest.mark.django_db
def test_a_draft_category_can_change_anything(staff_user):
    round_ = round_in(RoundState.DRAFT)
    category = round_.categories.get()

    save_category(
        category,
        data={"max_files": 1, "allows_teams": True, "media_kinds": [MediaKind.AUDIO]},
        by=staff_user,
    )

    category.refresh_from_db()
    assert (category.max_files, category.allows_teams, category.media_kinds) == (
        1,
        True,
        [MediaKind.AUDIO],
    )
    assert trail(category)[0][1] == AuditVerb.UPDATED


@pytest.mark.django_db
def test_a_category_age_band_out_of_order_is_refused(staff_user):
    round_ = round_in(RoundState.DRAFT)
    category = round_.categories.get()

    message = refused(
        save_category, category, data={"min_age": 30, "max_age": 20}, by=staff_user
    )

    assert message == "The oldest age cannot be lower than the youngest age."
    category.refresh_from_db()
    assert (category.min_age, category.max_age) == (18, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state", [s for s in RoundState if s != RoundState.DRAFT], ids=str
)
def test_after_opening_a_category_changes_only_its_texts(state, staff_user):
    round_ = round_in(state)
    category = round_.categories.get()

    save_category(category, data=CATEGORY_TEXT, by=staff_user)

    category.refresh_from_db()
    assert category.name_en == "Youth"
    message = refused(
        save_category,
        category,
        data={"media_kinds": [MediaKind.VIDEO], "name_en": "Video"},
        by=staff_user,
    )
    assert message == (
        "Once a round is open only the names and descriptions of its categories "
        "can change."
    )
    category.refresh_from_db()
    assert (category.name_en, category.media_kinds) == (
        "Youth",
        [MediaKind.IMAGE, MediaKind.TEXT],
    )
    assert refused(
        save_category, Category(round=round_), data=CATEGORY_TEXT, by=staff_user
    ) == ("Categories can be added only while a round is a draft.")
    assert refused(delete_category, category, by=staff_user) == (
        "Categories can be removed only while a round is a draft."
    )
    assert list(round_.categories.all()) == [category]


@pytest.mark.django_db
def test_deleting_a_draft_category_is_audited(staff_user):
    round_ = round_in(RoundState.DRAFT)
    category = round_.categories.get()
    category_pk = category.pk

    delete_category(category, by=staff_user)

    assert not Category.objects.filter(pk=category_pk).exists()
    event = AuditEvent.objects.get(verb=AuditVerb.DELETED)
    assert (event.actor, event.object_id, event.data) == (
        staff_user,
        str(category_pk),
        {"round": round_.pk},
    )


# --- Beat's clock ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_clock_opens_and_closes_only_rounds_that_are_due(staff_user, caplog):
    now = timezone.now()
    due = round_in(RoundState.DRAFT, opens_at=now - HOUR, closes_at=now + DAY)
    not_yet = round_in(RoundState.DRAFT, opens_at=now + HOUR, closes_at=now + DAY)
    not_scheduled = round_in(RoundState.DRAFT, opens_at=now - HOUR)
    for round_ in (due, not_yet):
        schedule_round(round_, by=staff_user, now=now - DAY)
    ending = round_in(RoundState.OPEN, closes_at=now)
    running = round_in(RoundState.OPEN, closes_at=now + HOUR)
    already_closed = round_in(RoundState.CLOSED, closes_at=now - HOUR)
    judging = round_in(RoundState.JUDGING, closes_at=now - HOUR)
    untouched = [not_yet, not_scheduled, running, already_closed, judging]
    before = {round_.pk: row(round_) for round_ in untouched}

    with caplog.at_level(logging.WARNING, logger="submissions.services.rounds"):
        assert open_and_close_due_rounds(now=now) == ([due.pk], [ending.pk])

    due.refresh_from_db()
    assert (due.state, due.is_scheduled) == (RoundState.OPEN, False)
    assert trail(due)[-1] == (None, AuditVerb.STATE_CHANGED, "draft", "open", "")
    ending.refresh_from_db()
    assert (ending.state, ending.closes_at) == (RoundState.CLOSED, now)
    assert trail(ending) == [(None, AuditVerb.STATE_CHANGED, "open", "closed", "")]
    assert {round_.pk: row(round_) for round_ in untouched} == before
    assert caplog.records == []

    # Running again, as every tick does, finds nothing more to do.
    events = AuditEvent.objects.count()
    assert open_and_close_due_rounds(now=now) == ([], [])
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_clock_unschedules_a_scheduled_round_that_became_incomplete(
    staff_user, caplog
):
    now = timezone.now()
    round_ = round_in(RoundState.DRAFT, opens_at=now - HOUR, closes_at=now + DAY)
    schedule_round(round_, by=staff_user, now=now - DAY)
    # Changed behind the services' back, as the Django admin can.
    Category.objects.filter(round=round_).update(name_zh_hant="")

    with caplog.at_level(logging.WARNING, logger="submissions.services.rounds"):
        assert open_and_close_due_rounds(now=now) == ([], [])

    round_.refresh_from_db()
    assert (round_.state, round_.is_scheduled) == (RoundState.DRAFT, False)
    reason = (
        "The round is not complete enough to open. "
        "Category “Adult — community” needs a name in both languages."
    )
    assert trail(round_)[-1] == (None, AuditVerb.UNSCHEDULED, "", "", reason)
    assert [record.getMessage() for record in caplog.records] == [
        f"Scheduled round {round_.pk} did not open: {reason}"
    ]


@pytest.mark.django_db
def test_the_clock_unschedules_a_round_whose_closing_passed_before_it_opened(
    staff_user,
):
    now = timezone.now()
    round_ = round_in(RoundState.DRAFT, opens_at=now - 2 * HOUR, closes_at=now + HOUR)
    schedule_round(round_, by=staff_user, now=now - DAY)

    # No worker ran for the whole window.
    assert open_and_close_due_rounds(now=now + 2 * HOUR) == ([], [])

    round_.refresh_from_db()
    assert (round_.state, round_.is_scheduled) == (RoundState.DRAFT, False)
    assert trail(round_)[-1] == (
        None,
        AuditVerb.UNSCHEDULED,
        "",
        "",
        "The closing time has passed: set a later one first.",
    )


# --- Two staff members at once (PostgreSQL locks rows) ------------------------------


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are tested on PostgreSQL (SQLite locks the whole file)")


def test_two_staff_closing_at_once_close_the_round_once(postgresql):
    first, second = factories.make_staff(), factories.make_staff()
    round_ = round_in(RoundState.OPEN)

    results = factories.at_once(
        lambda: close_round_now(Round.objects.get(pk=round_.pk), by=first),
        lambda: close_round_now(Round.objects.get(pk=round_.pk), by=second),
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert [str(error) for error in errors] == ["Only an open round can be closed."]
    assert [type(error) for error in errors] == [RoundError]
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    changes = AuditEvent.objects.for_object(round_).filter(verb=AuditVerb.STATE_CHANGED)
    assert [(e.from_state, e.to_state) for e in changes] == [("open", "closed")]
    assert AuditEvent.objects.filter(verb=AuditVerb.DEADLINE_CHANGED).count() == 1


def test_closing_and_extending_at_once_leave_one_consistent_story(postgresql):
    staff = factories.make_staff()
    round_ = round_in(RoundState.OPEN)
    planned = round_.closes_at

    results = factories.at_once(
        lambda: close_round_now(Round.objects.get(pk=round_.pk), by=staff),
        lambda: extend_deadline(
            Round.objects.get(pk=round_.pk), planned + DAY, by=staff
        ),
    )

    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    assert round_.closes_at < planned
    assert not isinstance(results[0], Exception)
    if isinstance(results[1], Exception):
        # The close came first: the extension found the round closed.
        assert str(results[1]) == "Only an open round's deadline can be extended."
    # Each deadline change starts where the previous one ended, and the last is the
    # deadline the round has.
    moves = [
        (event.data["from"], event.data["to"])
        for event in AuditEvent.objects.for_object(round_)
        .filter(verb=AuditVerb.DEADLINE_CHANGED)
        .order_by("id")
    ]
    assert len(moves) == (1 if isinstance(results[1], Exception) else 2)
    assert moves[0][0] == planned.isoformat()
    assert all(earlier[1] == later[0] for earlier, later in itertools.pairwise(moves))
    assert moves[-1][1] == round_.closes_at.isoformat()


def test_the_clock_does_not_close_a_round_whose_deadline_was_just_extended(
    postgresql,
):
    """Beat lists the rounds due, then a staff member extends one before beat locks
    it: beat must see the new deadline, not the one it listed."""
    staff = factories.make_staff()
    now = timezone.now()
    round_ = round_in(RoundState.OPEN, closes_at=now - datetime.timedelta(seconds=1))
    extended = now + DAY
    extension_made = threading.Event()
    may_commit = threading.Event()
    extension_errors = []

    def extend_and_hold():
        try:
            with transaction.atomic():
                extend_deadline(
                    Round.objects.get(pk=round_.pk), extended, by=staff, now=now
                )
                extension_made.set()
                may_commit.wait(timeout=20)
        except Exception as error:
            extension_errors.append(error)
            extension_made.set()
        finally:
            connections.close_all()

    clock_results = []

    def tick():
        try:
            clock_results.append(open_and_close_due_rounds(now=now))
        except Exception as error:
            clock_results.append(error)
        finally:
            connections.close_all()

    staff_thread = threading.Thread(target=extend_and_hold)
    staff_thread.start()
    assert extension_made.wait(timeout=20)
    clock = threading.Thread(target=tick)
    clock.start()

    # Let the staff member commit only once beat waits for the row they hold.
    def lock_waits():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]

    try:
        beat_waits = wait_until(
            lambda: lock_waits() == 1,
            timeout=20,
            interval=0.05,
            message="beat to wait for the row the staff member holds",
        )
    finally:
        may_commit.set()
    staff_thread.join(timeout=20)
    clock.join(timeout=20)

    assert beat_waits
    assert extension_errors == []
    assert clock_results == [([], [])]
    round_.refresh_from_db()
    assert (round_.state, round_.closes_at) == (RoundState.OPEN, extended)


@pytest.mark.django_db
def test_staff_see_rounds_newest_first_with_undated_drafts_on_top():
    now = timezone.now()
    older = factories.make_round(year=2025, opens_at=now - 400 * DAY, closes_at=now)
    earlier = factories.make_round(year=2026, opens_at=now + DAY)
    later = factories.make_round(year=2026, opens_at=now + 9 * DAY)
    undated = factories.make_round(year=2026, opens_at=None, complete=False)

    assert list(rounds_for_staff()) == [undated, later, earlier, older]
