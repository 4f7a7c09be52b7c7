import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageMode, StageState
from judging.models import Criterion, Stage
from judging.services.stage_setup import close_stage_now, open_stage_now
from submissions.enums import RoundState
from tests import factories
from tests.judging.stages_fixtures import (
    criterion_post,
    hk_minute,
    later,
    make_round_with_youth,
    ready_stage,
    stage_post,
)
from tests.judging_factories import make_judging_round, make_stage

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


# Permissions ------------------------------------------------------------------

# name, method, what the URL names, what staff get (a status, or "detail" for a
# redirect to the stage's page)
STAGE_URLS = [
    ("round_stages", "get", "round", 200),
    ("stage_create", "get", "round", 200),
    ("stage_detail", "get", "stage", 200),
    ("stage_edit", "get", "stage", 200),
    ("criterion_create", "get", "stage", 200),
    ("criterion_edit", "get", "criterion", 200),
    ("stage_open", "post", "stage", "detail"),
    # A stage in set-up can be neither closed nor finalised, and the empty
    # reopening form is invalid: staff see the stage's page again with the reason.
    ("stage_close", "post", "stage", 200),
    ("stage_reopen", "post", "stage", 200),
    ("stage_finalise", "post", "stage", 200),
    ("criterion_delete", "post", "criterion", "detail"),
    ("criterion_move", "post", "criterion", "detail"),
]


@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge", "staff"])
@pytest.mark.parametrize(
    ("name", "method", "names", "staff_gets"),
    STAGE_URLS,
    ids=[row[0] for row in STAGE_URLS],
)
def test_only_staff_reach_the_stage_pages(
    client, mfa_client, role, name, method, names, staff_gets
):
    round_ = make_judging_round(entries=1)
    stage = make_stage(round_)
    criterion = stage.criteria.first()
    target = reverse(
        f"manage:{name}",
        args=[{"round": round_, "stage": stage, "criterion": criterion}[names].pk],
    )
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        judge = factories.make_judge()
        mfa_client(judge)
    elif role == "staff":
        mfa_client(factories.make_staff())
    events_before = AuditEvent.objects.count()

    response = getattr(client, method)(target)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={target}"
    elif role == "staff":
        if staff_gets == "detail":
            assert response.status_code == 302
            assert response.url == reverse("manage:stage_detail", args=[stage.pk])
        else:
            assert response.status_code == staff_gets
        return
    else:
        assert response.status_code == 403
    stage.refresh_from_db()
    assert stage.state == StageState.SETUP
    assert stage.criteria.count() == 2
    assert AuditEvent.objects.count() == events_before


def test_staff_without_a_second_factor_are_sent_to_it(client, staff):
    stage = make_stage(make_judging_round(entries=0))
    client.force_login(staff)
    target = reverse("manage:stage_detail", args=[stage.pk])

    response = client.get(target)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_a_stage_that_does_not_exist_is_not_found(staff_client):
    assert (
        staff_client.get(reverse("manage:stage_detail", args=[999999])).status_code
        == 404
    )
    assert (
        staff_client.get(reverse("manage:round_stages", args=[999999])).status_code
        == 404
    )


# The round's stages ------------------------------------------------------------


def test_the_stage_list_shows_each_stage_with_its_counts(staff_client):
    round_ = make_judging_round(entries=3)
    first = ready_stage(round_)
    make_stage(round_, name_en="Final", previous=first, mode=StageMode.RANKING)

    response = staff_client.get(reverse("manage:round_stages", args=[round_.pk]))

    assert response.status_code == 200
    rows = [
        (
            stage.name,
            stage.get_mode_display(),
            stage.panel_size,
            stage.entry_count,
            stage.assignment_count,
            stage.submitted_count,
        )
        for stage in response.context["stages"]
    ]
    assert rows == [
        ("First round", "Weighted criteria", 2, 3, 6, 0),
        ("Final", "Ranking (each judge orders their top works)", 0, 0, 0, 0),
    ]
    assert "After “First round”" in response.text
    assert "0 / 6" in response.text


def test_the_stage_list_makes_as_many_queries_for_50_stages_as_for_one(
    staff_client, django_assert_num_queries
):
    round_ = make_judging_round(entries=2)
    ready_stage(round_)
    target = reverse("manage:round_stages", args=[round_.pk])
    staff_client.get(target)
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(target)
    assert len(response.context["stages"]) == 1

    for number in range(49):
        ready_stage(round_, name_en=f"Stage {number + 2}")

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(target)
    assert len(response.context["stages"]) == 50
    assert "Stage 50" in response.text


def test_the_rounds_page_lists_its_stages(staff_client):
    round_ = make_judging_round(entries=0)
    stage = make_stage(round_, name_en="Heats")

    response = staff_client.get(reverse("manage:round_detail", args=[round_.pk]))

    assert response.status_code == 200
    assert reverse("manage:round_stages", args=[round_.pk]) in response.text
    assert f'href="{reverse("manage:stage_detail", args=[stage.pk])}"' in response.text
    assert "Heats" in response.text


# Creating and editing ---------------------------------------------------------


def test_staff_create_a_stage(staff_client, staff):
    round_ = make_round_with_youth()
    _adult, youth = round_.categories.order_by("position")
    data = stage_post(round_, categories=[youth.pk], mode="vote")

    response = staff_client.post(
        reverse("manage:stage_create", args=[round_.pk]), data, follow=True
    )

    stage = Stage.objects.get()
    assert response.redirect_chain == [
        (reverse("manage:stage_detail", args=[stage.pk]), 302)
    ]
    assert (stage.mode, list(stage.categories.all())) == ("vote", [youth])
    assert hk_minute(stage.closes_at) == data["closes_at"]
    assert shown_messages(response) == [
        "Stage “First round” created. Add its criteria and its panel next."
    ]
    assert AuditEvent.objects.for_object(stage).get().verb == AuditVerb.CREATED


def test_the_form_offers_only_this_rounds_categories_and_earlier_stages(
    staff_client,
):
    round_ = make_judging_round(entries=0)
    other = make_judging_round(entries=0)
    first = make_stage(round_)
    second = make_stage(round_, name_en="Final", position=1, previous=first)
    make_stage(other, name_en="Elsewhere")

    response = staff_client.get(reverse("manage:stage_edit", args=[first.pk]))
    form = response.context["form"]
    assert list(form.fields["categories"].queryset) == list(round_.categories.all())
    assert list(form.fields["previous"].queryset) == []

    response = staff_client.get(reverse("manage:stage_edit", args=[second.pk]))
    assert list(response.context["form"].fields["previous"].queryset) == [first]
    assert f"The seed is now {second.seed}." in response.text


def test_a_form_with_errors_keeps_what_was_typed(staff_client):
    round_ = make_judging_round(entries=0)
    data = stage_post(
        round_,
        name_en="Shortlist <b>bold</b>",
        name_zh_hant="",
        opens_at=hk_minute(later(10)),
        closes_at=hk_minute(later(5)),
        judges_per_entry="0",
    )

    response = staff_client.post(reverse("manage:stage_create", args=[round_.pk]), data)

    assert response.status_code == 200
    assert not Stage.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"name_zh_hant", "closes_at", "judges_per_entry"}
    assert 'value="Shortlist &lt;b&gt;bold&lt;/b&gt;"' in response.text
    assert f'value="{data["opens_at"]}"' in response.text
    assert "<b>bold</b>" not in response.text


def test_a_refusal_of_the_service_keeps_the_form(staff_client):
    round_ = make_judging_round(entries=0)
    first = make_stage(round_, categories=[])
    data = stage_post(round_, previous=first.pk)

    response = staff_client.post(reverse("manage:stage_create", args=[round_.pk]), data)

    assert response.status_code == 200
    assert shown_messages(response) == [
        "A stage judges only categories of the stage it follows: “First round” "
        "does not judge them all."
    ]
    assert Stage.objects.count() == 1
    assert response.context["form"].data["previous"] == str(first.pk)


def test_fewer_judges_than_the_minimum_saves_with_a_warning(staff_client):
    round_ = make_judging_round(entries=0)
    response = staff_client.post(
        reverse("manage:stage_create", args=[round_.pk]),
        stage_post(round_, judges_per_entry="1", min_judges="3"),
        follow=True,
    )
    assert Stage.objects.get().judges_per_entry == 1
    assert shown_messages(response)[1] == (
        "Each entry gets 1 judges, fewer than the minimum of 3: every entry will be "
        "below the minimum."
    )


def test_names_are_shown_escaped(staff_client):
    round_ = make_judging_round(entries=0)
    stage = make_stage(round_, name_en='<script>alert("x")</script>')
    Criterion.objects.filter(stage=stage).update(description_en="<img src=x>")
    for name in ("round_stages", "stage_detail"):
        pk = round_.pk if name == "round_stages" else stage.pk
        response = staff_client.get(reverse(f"manage:{name}", args=[pk]))
        assert "<script>alert" not in response.text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text
    assert "<img src=x>" not in response.text
    assert "&lt;img src=x&gt;" in response.text


def test_an_open_stage_offers_only_what_may_change(staff_client, staff):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff)
    target = reverse("manage:stage_edit", args=[stage.pk])

    response = staff_client.get(target)
    assert set(response.context["form"].fields) == {
        "name_en",
        "name_zh_hant",
        "closes_at",
        "visibility",
    }

    closes = later(9)
    response = staff_client.post(
        target,
        {
            "name_en": "Heats",
            "name_zh_hant": "初賽",
            "closes_at": hk_minute(closes),
            "visibility": "never",
            "mode": "vote",
        },
        follow=True,
    )
    stage.refresh_from_db()
    assert (stage.name_en, stage.closes_at, stage.visibility, stage.mode) == (
        "Heats",
        closes,
        "never",
        "criteria",
    )
    assert shown_messages(response) == ["Changes saved."]


# Transitions ------------------------------------------------------------------


def test_opening_an_unready_stage_lists_its_problems(staff_client):
    stage = make_stage(make_judging_round(entries=1), criteria=0)

    response = staff_client.post(
        reverse("manage:stage_open", args=[stage.pk]), follow=True
    )

    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "The stage is not ready to open." in text
    for problem in (
        "Add the criteria judges score.",
        "Add judges to the panel.",
        "Assign the entries to the judges.",
    ):
        assert f"<li>{problem}</li>" in text
    stage.refresh_from_db()
    assert stage.state == StageState.SETUP


def test_opening_a_ready_stage_takes_the_round_to_judging(staff_client):
    round_ = make_judging_round(entries=2)
    stage = ready_stage(round_)
    detail = reverse("manage:stage_detail", args=[stage.pk])
    assert "The stage is complete: it can open." in staff_client.get(detail).text

    response = staff_client.post(
        reverse("manage:stage_open", args=[stage.pk]), follow=True
    )

    stage.refresh_from_db()
    round_.refresh_from_db()
    assert (stage.state, round_.state) == (StageState.OPEN, RoundState.JUDGING)
    assert shown_messages(response)[0].startswith(
        "The stage is open for scoring until "
    )
    again = staff_client.post(
        reverse("manage:stage_open", args=[stage.pk]), follow=True
    )
    assert shown_messages(again) == ["The stage is already open."]


def test_close_reopen_and_finalise_through_the_page(staff_client, staff):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff)

    response = staff_client.post(
        reverse("manage:stage_close", args=[stage.pk]),
        {"close-reason": "All scored"},
        follow=True,
    )
    stage.refresh_from_db()
    assert stage.state == StageState.CLOSED
    assert shown_messages(response) == [
        "The stage is closed: its scores no longer change."
    ]

    past = timezone.now() - datetime.timedelta(hours=1)
    response = staff_client.post(
        reverse("manage:stage_reopen", args=[stage.pk]),
        {"reopen-closes_at": hk_minute(past), "reopen-reason": "Late judge"},
    )
    assert response.status_code == 200
    assert shown_messages(response) == ["The closing time must be still to come."]
    assert response.context["reopen_form"].data["reopen-reason"] == "Late judge"
    stage.refresh_from_db()
    assert stage.state == StageState.CLOSED

    response = staff_client.post(
        reverse("manage:stage_reopen", args=[stage.pk]), {"reopen-reason": "x"}
    )
    assert response.status_code == 200
    assert "closes_at" in response.context["reopen_form"].errors

    closes = later(3)
    response = staff_client.post(
        reverse("manage:stage_reopen", args=[stage.pk]),
        {"reopen-closes_at": hk_minute(closes), "reopen-reason": "Late judge"},
        follow=True,
    )
    assert shown_messages(response)[0].startswith("The stage is open again until ")
    stage.refresh_from_db()
    assert (stage.state, stage.closes_at) == (StageState.OPEN, closes)

    close_stage_now(stage, by=staff)
    response = staff_client.post(
        reverse("manage:stage_finalise", args=[stage.pk]),
        {"finalise-reason": ""},
        follow=True,
    )
    stage.refresh_from_db()
    assert stage.state == StageState.FINALISED
    assert shown_messages(response) == ["The stage is finalised."]
    assert "A finalised stage has no more actions." in response.text


def test_a_refused_move_is_a_message_not_an_error(staff_client):
    stage = make_stage(make_judging_round(entries=1))
    response = staff_client.post(
        reverse("manage:stage_finalise", args=[stage.pk]), follow=True
    )
    assert response.status_code == 200
    assert shown_messages(response) == ["Only a closed stage can be finalised."]


def test_an_action_reached_by_get_does_nothing(staff_client):
    stage = ready_stage(make_judging_round(entries=1))
    response = staff_client.get(reverse("manage:stage_open", args=[stage.pk]))
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.state == StageState.SETUP


# Criteria -----------------------------------------------------------------------


def test_staff_add_edit_move_and_remove_criteria(staff_client):
    stage = make_stage(make_judging_round(entries=0), criteria=1)
    detail = reverse("manage:stage_detail", args=[stage.pk])

    response = staff_client.post(
        reverse("manage:criterion_create", args=[stage.pk]),
        criterion_post(name_en="Voice", name_zh_hant="聲音", half_points="on"),
        follow=True,
    )
    assert response.redirect_chain == [(detail, 302)]
    assert shown_messages(response) == ["Criterion “Voice” added."]
    voice = stage.criteria.get(name_en="Voice")
    assert (voice.position, voice.half_points) == (1, True)

    response = staff_client.post(
        reverse("manage:criterion_edit", args=[voice.pk]),
        criterion_post(name_en="Voice", name_zh_hant="聲音", weight="3.5"),
        follow=True,
    )
    voice.refresh_from_db()
    assert str(voice.weight) == "3.50"

    staff_client.post(
        reverse("manage:criterion_move", args=[voice.pk]), {"direction": "up"}
    )
    assert [c.name_en for c in stage.criteria.all()] == ["Voice", "Originality"]

    response = staff_client.post(
        reverse("manage:criterion_delete", args=[voice.pk]),
        {"stage": stage.pk},
        follow=True,
    )
    assert shown_messages(response) == ["Criterion “Voice” removed."]
    again = staff_client.post(
        reverse("manage:criterion_delete", args=[voice.pk]),
        {"stage": stage.pk},
        follow=True,
    )
    assert shown_messages(again) == ["The criterion was already removed."]
    assert [c.name_en for c in stage.criteria.all()] == ["Originality"]


def test_a_criterion_form_with_errors_keeps_what_was_typed(staff_client):
    stage = make_stage(make_judging_round(entries=0), criteria=0)
    response = staff_client.post(
        reverse("manage:criterion_create", args=[stage.pk]),
        criterion_post(
            name_en="Craft & <i>care</i>",
            name_zh_hant="",
            scale_min="8",
            scale_max="4",
            weight="0",
        ),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "name_zh_hant",
        "scale_max",
        "weight",
    }
    assert 'value="Craft &amp; &lt;i&gt;care&lt;/i&gt;"' in response.text
    assert not Criterion.objects.exists()


def test_criteria_of_an_open_stage_cannot_change(staff_client, staff):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff)
    criterion = stage.criteria.first()
    expected = (
        "Criteria can change only while the stage is being set up: once it has "
        "opened, judges' scores were given against them."
    )
    for target, data in (
        (reverse("manage:criterion_create", args=[stage.pk]), criterion_post()),
        (reverse("manage:criterion_edit", args=[criterion.pk]), criterion_post()),
        (reverse("manage:criterion_delete", args=[criterion.pk]), {}),
        (reverse("manage:criterion_move", args=[criterion.pk]), {"direction": "down"}),
    ):
        response = staff_client.post(target, data, follow=True)
        assert shown_messages(response) == [expected]
    assert stage.criteria.count() == 2
    page = staff_client.get(reverse("manage:stage_detail", args=[stage.pk]))
    assert reverse("manage:criterion_create", args=[stage.pk]) not in page.text


def test_the_stage_page_makes_as_many_queries_for_50_criteria_as_for_one(
    staff_client, django_assert_num_queries
):
    round_ = make_judging_round(entries=2)
    stage = ready_stage(round_, criteria=1)
    for number in range(3):
        make_stage(round_, name_en=f"Later {number}")
    target = reverse("manage:stage_detail", args=[stage.pk])
    staff_client.get(target)
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(target)
    assert len(response.context["criteria"]) == 1

    for number in range(49):
        Criterion.objects.create(
            stage=stage,
            position=number + 1,
            name_en=f"Criterion {number + 2}",
            name_zh_hant="準則",
        )

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(target)
    assert len(response.context["criteria"]) == 50
    assert "Criterion 50" in response.text


def test_a_closed_stage_changes_its_closing_time_only_by_reopening(staff_client, staff):
    stage = ready_stage(make_judging_round(entries=1))
    open_stage_now(stage, by=staff)
    close_stage_now(stage, by=staff)

    response = staff_client.get(reverse("manage:stage_edit", args=[stage.pk]))

    assert set(response.context["form"].fields) == {
        "name_en",
        "name_zh_hant",
        "visibility",
    }
    assert response.context["in_setup"] is False
