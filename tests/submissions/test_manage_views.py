import datetime
import html
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import FileState, MediaKind, RoundState
from submissions.models import Round
from submissions.models.rounds import MB
from submissions.services.rounds import (
    CATEGORY_TEXT_FIELDS,
    EDITABLE_ANY_STATE_FIELDS,
    EDITABLE_TEXT_FIELDS,
    close_round_now,
    open_round_now,
    schedule_round,
    set_round_state,
)
from tests import factories
from tests.entry_factories import add_file, make_entry
from tests.submissions.test_manage_forms import (
    BAD_ROUND_INPUT,
    CATEGORY_VALUES,
    category_data,
    round_data,
)

pytestmark = pytest.mark.django_db

HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")
OPENS = datetime.datetime(2031, 3, 1, 10, 0, tzinfo=HK)
CLOSES = datetime.datetime(2031, 4, 30, 18, 0, tzinfo=HK)


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def staff_client(mfa_client, staff):
    return mfa_client(staff)


def make_draft(**fields):
    values = {"year": 2031, "opens_at": OPENS, "closes_at": CLOSES}
    values.update(fields)
    return factories.make_round(**values)


def make_open(staff, **fields):
    round_ = make_draft(**fields)
    open_round_now(round_, by=staff)
    return round_


def make_closed(staff, **fields):
    round_ = make_open(staff, **fields)
    close_round_now(round_, by=staff)
    return round_


def url(name, round_=None, category=None):
    if round_ is None:
        return reverse(f"manage:{name}")
    if category is None:
        return reverse(f"manage:{name}", args=[round_.pk])
    return reverse(f"manage:{name}", args=[round_.pk, category.pk])


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


def audit_rows(obj, *, since=0):
    return list(
        AuditEvent.objects.for_object(obj)
        .filter(pk__gt=since)
        .order_by("pk")
        .values_list("verb", "actor_id", "from_state", "to_state", "reason")
    )


def moved_deadline_and_state(by, from_state, to_state, reason):
    """The audit rows of closing or reopening: the new deadline, then the state."""
    return [
        (AuditVerb.DEADLINE_CHANGED, by.pk, "", "", reason),
        (AuditVerb.STATE_CHANGED, by.pk, from_state, to_state, reason),
    ]


def last_audit_pk():
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def hk_minute(moment):
    return timezone.localtime(moment, HK).strftime("%Y-%m-%dT%H:%M")


def post_twice(client, action, round_, data=None):
    """Post ``action`` twice, as a double click does, then reload the round."""
    first = client.post(url(action, round_), data, follow=True)
    second = client.post(url(action, round_), data, follow=True)
    round_.refresh_from_db()
    return first, second


# Permissions ------------------------------------------------------------------------

# name, HTTP method, what the URL names, what staff get (a status, or "detail" for a
# redirect to the round's page)
MANAGE_URLS = [
    ("rounds", "get", None, 200),
    ("round_create", "get", None, 200),
    ("round_detail", "get", "round", 200),
    ("round_edit", "get", "round", 200),
    ("category_create", "get", "round", 200),
    ("category_edit", "get", "category", 200),
    ("category_delete", "get", "category", 200),
    ("round_schedule", "post", "round", "detail"),
    ("round_unschedule", "post", "round", "detail"),
    ("round_open", "post", "round", "detail"),
    # A draft cannot be closed and the empty deadline forms are invalid: staff see
    # the round's page again with the reason.
    ("round_close", "post", "round", 200),
    ("round_extend", "post", "round", 200),
    ("round_reopen", "post", "round", 200),
]


@pytest.mark.parametrize(
    "role", ["anonymous", "entrant", "judge", "caseworker", "staff"]
)
@pytest.mark.parametrize(
    ("name", "method", "names", "staff_gets"),
    MANAGE_URLS,
    ids=[row[0] for row in MANAGE_URLS],
)
def test_only_staff_reach_round_management(
    client, mfa_client, role, name, method, names, staff_gets
):
    round_ = make_draft()
    category = round_.categories.get()
    target = {
        None: lambda: url(name),
        "round": lambda: url(name, round_),
        "category": lambda: url(name, round_, category),
    }[names]()
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "caseworker":
        client.force_login(factories.make_caseworker())
    elif role == "judge":
        mfa_client(factories.make_judge())
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
            assert response.url == url("round_detail", round_)
        else:
            assert response.status_code == staff_gets
        return
    else:
        assert response.status_code == 403
        assert response.templates[0].name == "common/error.html"
    round_.refresh_from_db()
    assert (round_.state, round_.is_scheduled) == (RoundState.DRAFT, False)
    assert list(round_.categories.all()) == [category]
    assert AuditEvent.objects.count() == events_before


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, staff):
    client.force_login(staff)

    response = client.get(url("rounds"))

    assert response.status_code == 302
    assert response.url == f"{reverse('mfa_activate_totp')}?next=%2Fmanage%2F"


# Round list -------------------------------------------------------------------------


def test_round_list_shows_each_round_with_its_dates_in_hong_kong_time(staff_client):
    round_ = make_draft()
    schedule_round(round_, by=None)
    make_draft(title_en="", title_zh_hant="", year=2032)

    response = staff_client.get(url("rounds"))

    assert list(response.context["rounds"]) == [
        Round.objects.get(year=2032),
        round_,
    ]
    assert response.templates[0].name == "submissions/manage/round_list.html"
    html = response.text
    assert f'<a href="{url("round_detail", round_)}">Colours of Humanity</a>' in html
    assert "(untitled)" in html
    assert "March 1, 2031, 10 a.m." in html
    assert "April 30, 2031, 6 p.m." in html
    assert "Times are Hong Kong time." in html
    assert f'href="{url("round_create")}"' in html
    assert '<div class="table-responsive">' in html


def test_round_list_is_in_chinese_for_a_chinese_reader(staff_client):
    make_draft()

    response = staff_client.get(url("rounds"), headers={"accept-language": "zh-hant"})

    assert response.text.count("人性的色彩") == 1
    assert "Colours of Humanity" not in response.text


def test_round_list_makes_as_many_queries_for_50_rounds_as_for_one(
    staff_client, django_assert_num_queries
):
    make_draft()
    staff_client.get(url("rounds"))
    with CaptureQueriesContext(connection) as one_round:
        response = staff_client.get(url("rounds"))
    assert len(response.context["rounds"]) == 1

    for year in range(2032, 2081):
        make_draft(year=year, title_en=f"Edition {year}")

    with django_assert_num_queries(len(one_round.captured_queries)):
        response = staff_client.get(url("rounds"))
    assert len(response.context["rounds"]) == 50
    assert "Edition 2080" in response.text


# Creating and editing rounds --------------------------------------------------------


def test_create_round_saves_every_field_and_audits_it(staff_client, staff):
    response = staff_client.post(url("round_create"), round_data(), follow=True)

    round_ = Round.objects.get()
    assert response.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(response) == [
        "Round “Colours of Humanity” created. Add its categories next."
    ]
    expected = {
        **round_data(),
        "year": 2031,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "entry_cap": 5,
        "minimum_age": 0,
        "upload_grace_minutes": 60,
        "state": RoundState.DRAFT,
        "is_scheduled": False,
    }
    assert {field: getattr(round_, field) for field in expected} == expected
    assert audit_rows(round_) == [(AuditVerb.CREATED, staff.pk, "", "", "")]
    # No category yet: the page says what keeps the round from being scheduled.
    assert "<li>The round needs at least one category.</li>" in response.text


def test_create_round_keeps_html_as_text_and_shows_it_escaped(staff_client):
    script = "<script>alert(1)</script>"
    response = staff_client.post(
        url("round_create"),
        round_data(title_en=script, rules_en="<b>bold</b>"),
        follow=True,
    )

    round_ = Round.objects.get()
    assert (round_.title_en, round_.rules_en) == (script, "<b>bold</b>")
    assert script not in response.text
    assert "<b>bold</b>" not in response.text
    assert escape(script) in response.text
    assert escape("<b>bold</b>") in response.text
    assert script not in staff_client.get(url("rounds")).text


def test_create_round_accepts_right_to_left_and_chinese_text(staff_client):
    response = staff_client.post(
        url("round_create"),
        round_data(title_en="جائزة الفنون", theme_en="עתיד משותף", rules_en="規則"),
        follow=True,
    )

    round_ = Round.objects.get()
    assert (round_.title_en, round_.theme_en, round_.rules_en) == (
        "جائزة الفنون",
        "עתיד משותף",
        "規則",
    )
    assert '<dd class="col-sm-8" lang="en" dir="auto">جائزة الفنون</dd>' in (
        response.text
    )


def _assert_typed_values_kept(response, form_name, typed):
    form = response.context[form_name]
    for name, value in typed.items():
        assert form[name].value() == value
        if value and name not in ("rules_en", "rules_zh_hant"):
            assert f'name="{name}" value="{escape(value)}"' in response.text


@pytest.mark.parametrize(("overrides", "errors"), BAD_ROUND_INPUT)
def test_create_round_with_bad_input_explains_and_keeps_what_was_typed(
    staff_client, overrides, errors
):
    before = last_audit_pk()

    response = staff_client.post(url("round_create"), round_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert "Please correct the errors below." in response.text
    _assert_typed_values_kept(response, "form", overrides)
    assert Round.objects.count() == 0
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_edit_draft_round_saves_the_changes_and_audits_them(staff_client, staff):
    round_ = make_draft()
    before = last_audit_pk()

    response = staff_client.post(
        url("round_edit", round_),
        round_data(
            title_en="Shared Future",
            closes_at="2031-05-15T23:59",
            entry_cap="3",
            rules_zh_hant="免費參加。\n每組一件。",
        ),
        follow=True,
    )

    assert response.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(response) == ["Changes saved."]
    round_.refresh_from_db()
    assert (round_.title_en, round_.closes_at, round_.entry_cap) == (
        "Shared Future",
        datetime.datetime(2031, 5, 15, 23, 59, tzinfo=HK),
        3,
    )
    assert round_.rules_zh_hant == "免費參加。\n每組一件。"
    assert audit_rows(round_, since=before) == [
        (AuditVerb.UPDATED, staff.pk, "", "", "")
    ]
    event = AuditEvent.objects.for_object(round_).get(pk__gt=before)
    assert event.data == {
        "fields": ["closes_at", "entry_cap", "rules_en", "rules_zh_hant", "title_en"]
    }


def test_edit_form_shows_the_round_as_it_is(staff_client):
    round_ = make_draft()

    response = staff_client.get(url("round_edit", round_))

    form = response.context["form"]
    assert form["title_zh_hant"].value() == "人性的色彩"
    assert 'name="opens_at" value="2031-03-01T10:00"' in response.text
    assert 'name="closes_at" value="2031-04-30T18:00"' in response.text
    assert 'type="datetime-local"' in response.text


@pytest.mark.parametrize(("overrides", "errors"), BAD_ROUND_INPUT)
def test_edit_round_with_bad_input_explains_and_changes_nothing(
    staff_client, overrides, errors
):
    round_ = make_draft()
    before = last_audit_pk()

    response = staff_client.post(url("round_edit", round_), round_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    _assert_typed_values_kept(response, "form", overrides)
    saved = Round.objects.get(pk=round_.pk)
    assert (saved.title_en, saved.opens_at, saved.entry_cap, saved.year) == (
        round_.title_en,
        round_.opens_at,
        round_.entry_cap,
        round_.year,
    )
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_edit_round_without_changes_says_so_and_keeps_seconds(staff_client):
    opens_with_seconds = OPENS + datetime.timedelta(seconds=41)
    round_ = make_draft(opens_at=opens_with_seconds)
    before = last_audit_pk()

    response = staff_client.post(
        url("round_edit", round_),
        round_data(
            title_en=round_.title_en,
            rules_en=round_.rules_en,
            opens_at=hk_minute(round_.opens_at),
        ),
        follow=True,
    )

    assert shown_messages(response) == ["Nothing changed."]
    round_.refresh_from_db()
    assert round_.opens_at == opens_with_seconds
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_edit_scheduled_round_dates_unschedules_it(staff_client):
    round_ = make_draft()
    schedule_round(round_, by=None)

    response = staff_client.post(
        url("round_edit", round_),
        round_data(rules_en=round_.rules_en, opens_at="2031-03-02T10:00"),
        follow=True,
    )

    round_.refresh_from_db()
    assert round_.opens_at == datetime.datetime(2031, 3, 2, 10, 0, tzinfo=HK)
    assert round_.is_scheduled is False
    assert shown_messages(response) == [
        "Changes saved.",
        "The round is no longer scheduled, as its dates changed or it is no longer "
        "complete. Schedule it again when it is ready.",
    ]


def test_edit_open_round_offers_its_texts_only(staff_client, staff):
    round_ = make_open(staff)

    response = staff_client.get(url("round_edit", round_))

    assert set(response.context["form"].fields) == set(EDITABLE_ANY_STATE_FIELDS)
    assert 'name="closes_at"' not in response.text
    assert (
        "The round is no longer a draft: only its texts and how long its files are "
        "kept can change here."
    ) in response.text


def test_edit_open_round_saves_texts_and_leaves_dates_alone(staff_client, staff):
    round_ = make_open(staff)
    closes_at = round_.closes_at
    before = last_audit_pk()

    response = staff_client.post(
        url("round_edit", round_),
        round_data(title_en="Colours of Humanity 2031", closes_at="2031-12-31T18:00"),
        follow=True,
    )

    round_.refresh_from_db()
    assert (round_.title_en, round_.closes_at, round_.state) == (
        "Colours of Humanity 2031",
        closes_at,
        RoundState.OPEN,
    )
    assert shown_messages(response) == [
        "The round is no longer a draft: its dates and numbers were left as they "
        "were. Only its texts can change here.",
        "Changes saved.",
    ]
    assert audit_rows(round_, since=before) == [
        (AuditVerb.UPDATED, staff.pk, "", "", "")
    ]


def test_edit_open_round_refuses_to_empty_a_text(staff_client, staff):
    round_ = make_open(staff)
    data = {name: getattr(round_, name) for name in EDITABLE_TEXT_FIELDS}
    data["theme_zh_hant"] = "   "

    response = staff_client.post(url("round_edit", round_), data)

    assert response.context["form"].errors == {
        "theme_zh_hant": ["This field is required."]
    }
    round_.refresh_from_db()
    assert round_.theme_zh_hant == "共享未來"


# Round detail -----------------------------------------------------------------------


def test_round_detail_shows_every_field_and_the_actions_of_a_draft(staff_client):
    round_ = make_draft(minimum_age=16, upload_grace_minutes=90, entry_cap=4)
    round_.categories.update(
        media_kinds=[MediaKind.IMAGE, MediaKind.VIDEO],
        max_video_bytes=2048 * MB,
        max_age=25,
        allows_teams=True,
    )

    response = staff_client.get(url("round_detail", round_))

    html = response.text
    for text in (
        "Colours of Humanity",
        "人性的色彩",
        "Shared Future",
        "共享未來",
        "Entry is free.",
        "免費參加。",
        "March 1, 2031, 10 a.m.",
        "April 30, 2031, 6 p.m.",
        "Closes (Hong Kong time)",
        "90 minutes",
        "Adult — community",
        "成人組 — 社區",
        "Image, Video",
        "2048 MB",
        "18 to 25",
        "The round is complete: it can be scheduled or opened.",
    ):
        assert text in html, text
    assert f'action="{url("round_schedule", round_)}"' in html
    assert f'action="{url("round_open", round_)}"' in html
    assert f'action="{url("round_close", round_)}"' not in html
    assert f'href="{reverse("round_detail", args=[round_.pk])}"' in html
    assert (
        f'href="{reverse("manage:audit_log")}?object=submissions.round:{round_.pk}"'
        in html
    )
    category = round_.categories.get()
    assert f'href="{url("category_delete", round_, category)}"' in html


def test_round_detail_of_an_incomplete_draft_lists_its_problems(staff_client):
    round_ = make_draft(complete=False, title_en="Draft")

    response = staff_client.get(url("round_detail", round_))

    assert [str(problem) for problem in response.context["problems"]] == [
        "The round needs a Chinese title.",
        "The round needs an English theme.",
        "The round needs a Chinese theme.",
        "The round needs English rules.",
        "The round needs Chinese rules.",
        "The round needs at least one category.",
    ]
    assert "<li>The round needs Chinese rules.</li>" in response.text


def test_round_detail_of_an_open_round_offers_close_and_extend(staff_client, staff):
    round_ = make_open(staff)

    response = staff_client.get(url("round_detail", round_))

    html = response.text
    assert f'action="{url("round_close", round_)}"' in html
    assert f'action="{url("round_extend", round_)}"' in html
    assert f'action="{url("round_open", round_)}"' not in html
    assert f'action="{url("round_reopen", round_)}"' not in html
    assert 'name="closes_at" value="2031-04-30T18:00"' in html


# Actions ----------------------------------------------------------------------------


def test_schedule_then_schedule_again(staff_client, staff):
    round_ = make_draft()
    before = last_audit_pk()

    first, second = post_twice(staff_client, "round_schedule", round_)

    assert round_.is_scheduled is True
    assert first.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(first) == [
        "The round is scheduled: it opens by itself at March 1, 2031, 10 a.m., "
        "Hong Kong time."
    ]
    assert shown_messages(second) == [
        "The round was already scheduled to open at March 1, 2031, 10 a.m., "
        "Hong Kong time."
    ]
    assert audit_rows(round_, since=before) == [
        (AuditVerb.SCHEDULED, staff.pk, "", "", "")
    ]
    assert f'action="{url("round_unschedule", round_)}"' in second.text


def test_schedule_an_incomplete_round_shows_its_problems(staff_client):
    round_ = make_draft(complete=False, title_en="Draft", title_zh_hant="草稿")
    before = last_audit_pk()

    response = staff_client.post(url("round_schedule", round_), follow=True)

    expected = (
        "The round is not complete enough to schedule."
        '<ul class="mb-0 mt-2">'
        "<li>The round needs an English theme.</li>"
        "<li>The round needs a Chinese theme.</li>"
        "<li>The round needs English rules.</li>"
        "<li>The round needs Chinese rules.</li>"
        "<li>The round needs at least one category.</li>"
        "</ul>"
    )
    assert shown_messages(response) == [expected]
    assert expected in response.text
    round_.refresh_from_db()
    assert round_.is_scheduled is False
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_unschedule_then_unschedule_again(staff_client, staff):
    round_ = make_draft()
    schedule_round(round_, by=staff)
    before = last_audit_pk()

    first, second = post_twice(staff_client, "round_unschedule", round_)

    assert round_.is_scheduled is False
    assert shown_messages(first) == [
        "The round is no longer scheduled: it will not open by itself."
    ]
    assert shown_messages(second) == ["The round was not scheduled."]
    assert audit_rows(round_, since=before) == [
        (AuditVerb.UNSCHEDULED, staff.pk, "", "", "")
    ]


def test_open_now_then_open_again(staff_client, staff):
    round_ = make_draft()
    before = last_audit_pk()
    started = timezone.now()

    first, second = post_twice(staff_client, "round_open", round_)

    assert round_.state == RoundState.OPEN
    assert started <= round_.opens_at <= timezone.now()
    assert round_.closes_at == CLOSES
    assert shown_messages(first) == [
        "The round is open for entries until April 30, 2031, 6 p.m., Hong Kong time."
    ]
    assert shown_messages(second) == ["The round is already open."]
    assert audit_rows(round_, since=before) == [
        (AuditVerb.UPDATED, staff.pk, "", "", ""),
        (AuditVerb.STATE_CHANGED, staff.pk, RoundState.DRAFT, RoundState.OPEN, ""),
    ]


def test_open_an_incomplete_round_is_refused_with_its_problems(staff_client):
    round_ = make_draft(complete=False, title_en="Draft", title_zh_hant="草稿")
    factories.make_category(round_, name_zh_hant="", media_kinds=[])
    before = last_audit_pk()

    response = staff_client.post(url("round_open", round_), follow=True)

    assert shown_messages(response) == [
        "The round is not complete enough to open."
        '<ul class="mb-0 mt-2">'
        "<li>The round needs an English theme.</li>"
        "<li>The round needs a Chinese theme.</li>"
        "<li>The round needs English rules.</li>"
        "<li>The round needs Chinese rules.</li>"
        "<li>Category “Adult — community” needs a name in both languages.</li>"
        "<li>Category “Adult — community” accepts no kind of media.</li>"
        "</ul>"
    ]
    round_.refresh_from_db()
    assert (round_.state, round_.opens_at) == (RoundState.DRAFT, OPENS)
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_close_now_then_close_again(staff_client, staff):
    round_ = make_open(staff)
    before = last_audit_pk()

    first, second = post_twice(
        staff_client, "round_close", round_, {"reason": "Venue flooded"}
    )

    assert round_.state == RoundState.CLOSED
    assert round_.closes_at <= timezone.now()
    assert first.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(first) == ["The round is closed: it takes no more entries."]
    assert shown_messages(second) == ["The round is already closed."]
    assert audit_rows(round_, since=before) == moved_deadline_and_state(
        staff, RoundState.OPEN, RoundState.CLOSED, "Venue flooded"
    )
    assert f'action="{url("round_reopen", round_)}"' in second.text


def test_close_now_with_a_bad_reason_keeps_it_and_closes_nothing(staff_client, staff):
    round_ = make_open(staff)

    response = staff_client.post(url("round_close", round_), {"reason": "x" * 501})

    assert response.context["close_form"].errors == {
        "reason": ["Ensure this value has at most 500 characters (it has 501)."]
    }
    assert response.context["close_form"]["reason"].value() == "x" * 501
    round_.refresh_from_db()
    assert round_.state == RoundState.OPEN


def test_extend_the_deadline_then_extend_again(staff_client, staff):
    round_ = make_open(staff)
    before = last_audit_pk()
    data = {"closes_at": "2031-05-07T18:00", "reason": "Typhoon signal 8"}

    first, second = post_twice(staff_client, "round_extend", round_, data)

    assert round_.closes_at == datetime.datetime(2031, 5, 7, 18, 0, tzinfo=HK)
    assert round_.state == RoundState.OPEN
    assert shown_messages(first) == [
        "The deadline is now May 7, 2031, 6 p.m., Hong Kong time."
    ]
    assert shown_messages(second) == [
        "The deadline is already May 7, 2031, 6 p.m., Hong Kong time."
    ]
    assert audit_rows(round_, since=before) == [
        (AuditVerb.DEADLINE_CHANGED, staff.pk, "", "", "Typhoon signal 8")
    ]
    event = AuditEvent.objects.for_object(round_).get(pk__gt=before)
    assert datetime.datetime.fromisoformat(event.data["from"]) == CLOSES
    assert datetime.datetime.fromisoformat(event.data["to"]) == round_.closes_at


def test_extend_to_an_earlier_time_is_refused_and_keeps_what_was_typed(
    staff_client, staff
):
    round_ = make_open(staff)
    before = last_audit_pk()
    data = {"closes_at": "2031-04-01T18:00", "reason": "Shorter"}

    response = staff_client.post(url("round_extend", round_), data)

    assert response.status_code == 200
    assert shown_messages(response) == [
        "The new deadline must be later than the current one."
    ]
    _assert_typed_values_kept(response, "extend_form", data)
    round_.refresh_from_db()
    assert round_.closes_at == CLOSES
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_extend_with_bad_input_explains_and_keeps_what_was_typed(staff_client, staff):
    round_ = make_open(staff)
    data = {"closes_at": "2031-13-01T18:00", "reason": ""}

    response = staff_client.post(url("round_extend", round_), data)

    assert response.context["extend_form"].errors == {
        "closes_at": ["Enter a valid date/time."],
        "reason": ["This field is required."],
    }
    _assert_typed_values_kept(response, "extend_form", data)
    round_.refresh_from_db()
    assert round_.closes_at == CLOSES


def test_reopen_a_closed_round_then_reopen_again(staff_client, staff):
    round_ = make_closed(staff)
    before = last_audit_pk()
    data = {"closes_at": "2031-06-01T12:30", "reason": "Server outage"}

    first, second = post_twice(staff_client, "round_reopen", round_, data)

    assert round_.state == RoundState.OPEN
    assert round_.closes_at == datetime.datetime(2031, 6, 1, 12, 30, tzinfo=HK)
    assert shown_messages(first) == [
        "The round is open again until June 1, 2031, 12:30 p.m., Hong Kong time."
    ]
    assert shown_messages(second) == [
        "The round is already open until June 1, 2031, 12:30 p.m., Hong Kong time."
    ]
    assert audit_rows(round_, since=before) == moved_deadline_and_state(
        staff, RoundState.CLOSED, RoundState.OPEN, "Server outage"
    )


def test_reopen_a_round_in_judging_is_refused(staff_client, staff):
    round_ = make_closed(staff)
    set_round_state(round_, RoundState.JUDGING, by=staff)
    before = last_audit_pk()

    response = staff_client.post(
        url("round_reopen", round_),
        {"closes_at": "2031-06-01T12:30", "reason": "Late entries"},
    )

    assert response.status_code == 200
    assert shown_messages(response) == [
        "Only a closed round whose judging has not started can be reopened."
    ]
    assert "There are no actions for a round in this state here." in response.text
    round_.refresh_from_db()
    assert round_.state == RoundState.JUDGING
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_an_action_url_opened_with_get_changes_nothing(staff_client):
    round_ = make_draft()

    response = staff_client.get(url("round_open", round_))

    assert response.status_code == 302
    assert response.url == url("round_detail", round_)
    round_.refresh_from_db()
    assert round_.state == RoundState.DRAFT


# Categories -------------------------------------------------------------------------


def test_add_a_category_to_a_draft(staff_client, staff):
    round_ = make_draft(complete=False, title_en="Draft")

    response = staff_client.post(
        url("category_create", round_), category_data(), follow=True
    )

    category = round_.categories.get()
    assert response.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(response) == ["Category “Youth” added."]
    expected = {**CATEGORY_VALUES, "position": 0}
    assert {field: getattr(category, field) for field in expected} == expected
    assert audit_rows(category) == [(AuditVerb.CREATED, staff.pk, "", "", "")]
    assert "20 MB" in response.text
    assert "1024 MB" in response.text


def test_add_a_category_with_bad_input_keeps_what_was_typed(staff_client):
    round_ = make_draft(complete=False, title_en="Draft")
    typed = {
        "name_en": "<i>Youth</i> שלום",
        "media_kinds": [],
        "min_age": "18",
        "max_age": "12",
        "max_image_mb": "-5",
    }

    response = staff_client.post(url("category_create", round_), category_data(**typed))

    form = response.context["form"]
    assert form.errors == {
        "media_kinds": ["Choose at least one kind of media."],
        "max_age": ["The oldest age cannot be lower than the youngest age."],
        "max_image_mb": ["Ensure this value is greater than or equal to 1."],
    }
    assert form["name_en"].value() == "<i>Youth</i> שלום"
    assert f'value="{escape("<i>Youth</i> שלום")}"' in response.text
    assert (form["min_age"].value(), form["max_age"].value()) == ("18", "12")
    assert 'name="max_image_mb" value="-5"' in response.text
    assert round_.categories.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_add_a_category_to_an_open_round_is_refused(staff_client, staff, method):
    round_ = make_open(staff)

    response = getattr(staff_client, method)(
        url("category_create", round_), category_data(), follow=True
    )

    assert response.redirect_chain == [(url("round_detail", round_), 302)]
    assert shown_messages(response) == [
        "Categories can be added only while a round is a draft."
    ]
    assert round_.categories.count() == 1


def test_edit_a_category_of_a_draft(staff_client, staff):
    round_ = make_draft()
    category = round_.categories.get()
    before = last_audit_pk()

    response = staff_client.post(
        url("category_edit", round_, category),
        category_data(media_kinds=["document", "text"], max_document_mb="25"),
        follow=True,
    )

    category.refresh_from_db()
    assert shown_messages(response) == ["Category “Youth” saved."]
    assert (
        category.name_en,
        category.media_kinds,
        category.max_document_bytes,
        category.max_age,
        category.allows_teams,
    ) == ("Youth", ["document", "text"], 25 * MB, 17, True)
    assert audit_rows(category, since=before) == [
        (AuditVerb.UPDATED, staff.pk, "", "", "")
    ]


def test_edit_a_category_without_changes_says_so(staff_client):
    round_ = make_draft()
    category = round_.categories.get()
    form = staff_client.get(url("category_edit", round_, category)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data.pop("allows_teams")
    before = last_audit_pk()

    response = staff_client.post(
        url("category_edit", round_, category), data, follow=True
    )

    assert shown_messages(response) == ["Nothing changed."]
    assert AuditEvent.objects.filter(pk__gt=before).count() == 0


def test_edit_a_category_of_an_open_round_changes_only_its_texts(staff_client, staff):
    round_ = make_open(staff)
    category = round_.categories.get()

    page = staff_client.get(url("category_edit", round_, category))
    response = staff_client.post(
        url("category_edit", round_, category),
        category_data(name_en="Adult — open", max_files="9", media_kinds=["audio"]),
        follow=True,
    )

    assert set(page.context["form"].fields) == set(CATEGORY_TEXT_FIELDS)
    assert 'name="max_files"' not in page.text
    category.refresh_from_db()
    assert (category.name_en, category.name_zh_hant, category.max_files) == (
        "Adult — open",
        "青年組",
        5,
    )
    assert category.media_kinds == [MediaKind.IMAGE, MediaKind.TEXT]
    assert shown_messages(response) == ["Category “Adult — open” saved."]


def test_edit_a_category_of_a_closed_round_changes_only_its_texts(staff_client, staff):
    round_ = make_closed(staff)
    category = round_.categories.get()

    response = staff_client.post(
        url("category_edit", round_, category),
        category_data(name_en="Adults", description_en="Fixed a typo.", max_age="99"),
        follow=True,
    )

    assert shown_messages(response) == ["Category “Adults” saved."]
    category.refresh_from_db()
    assert (category.name_en, category.description_en, category.max_age) == (
        "Adults",
        "Fixed a typo.",
        None,
    )


def test_a_category_of_another_round_is_not_found(staff_client):
    round_ = make_draft()
    other = make_draft(year=2032)

    response = staff_client.get(url("category_edit", round_, other.categories.get()))

    assert response.status_code == 404


def test_remove_a_category_after_confirming_then_click_again(staff_client, staff):
    round_ = make_draft()
    category = round_.categories.get()

    page = staff_client.get(url("category_delete", round_, category))
    first = staff_client.post(url("category_delete", round_, category), follow=True)
    second = staff_client.post(url("category_delete", round_, category), follow=True)

    assert (
        "Remove the category “Adult — community” from this round? This cannot be "
        "undone; the audit log keeps a record of it." in page.text
    )
    assert shown_messages(first) == ["Category “Adult — community” removed."]
    assert shown_messages(second) == ["The category was already removed."]
    assert round_.categories.count() == 0
    assert audit_rows(category)[-1] == (AuditVerb.DELETED, staff.pk, "", "", "")


@pytest.mark.parametrize("method", ["get", "post"])
def test_remove_a_category_of_an_open_round_is_refused(staff_client, staff, method):
    round_ = make_open(staff)
    category = round_.categories.get()

    response = getattr(staff_client, method)(
        url("category_delete", round_, category), follow=True
    )

    assert shown_messages(response) == [
        "Categories can be removed only while a round is a draft."
    ]
    assert list(round_.categories.all()) == [category]


# Irreversible actions ask first ------------------------------------------------------


def confirm_questions(response, action):
    """The data-confirm questions of the buttons of the form posting to ``action``;
    static/js/confirm.js asks them (tests/e2e/test_confirm_actions.py)."""
    [form] = re.findall(
        rf'<form[^>]*action="{re.escape(action)}".*?</form>', response.text, re.S
    )
    return [html.unescape(q) for q in re.findall(r'data-confirm="([^"]*)"', form)]


def test_open_now_asks_first_and_scheduling_does_not(staff_client, staff):
    round_ = make_draft()

    page = staff_client.get(url("round_detail", round_))

    assert confirm_questions(page, url("round_open", round_)) == [
        "Open this round now? Entrants can enter works at once, and now becomes its "
        "opening time."
    ]
    assert confirm_questions(page, url("round_schedule", round_)) == []
    assert '<script src="/static/js/confirm.js"></script>' in page.text


def test_close_now_asks_first_and_extending_does_not(staff_client, staff):
    round_ = make_open(staff)

    page = staff_client.get(url("round_detail", round_))

    assert confirm_questions(page, url("round_close", round_)) == [
        "Close this round now? It stops taking entries at once."
    ]
    assert confirm_questions(page, url("round_extend", round_)) == []


def test_reopen_asks_first(staff_client, staff):
    round_ = make_closed(staff)

    page = staff_client.get(url("round_detail", round_))

    assert confirm_questions(page, url("round_reopen", round_)) == [
        "Reopen this round? It takes entries again until the new closing time."
    ]


def test_the_questions_are_in_chinese(staff_client, staff):
    round_ = make_open(staff)
    staff_client.cookies["django_language"] = "zh-hant"

    page = staff_client.get(url("round_detail", round_))

    assert confirm_questions(page, url("round_close", round_)) == [
        "要立即截止本屆嗎？本屆會即時停止接受參賽作品。"
    ]


def test_retrying_all_failed_files_asks_first(staff_client, staff):
    round_ = make_open(staff)
    entrant = factories.make_entrant()
    entry = make_entry(round_, entrant=entrant, title_en="Harbour")
    add_file(entry, state=FileState.FAILED)

    page = staff_client.get(reverse("manage:processing"))

    assert confirm_questions(page, reverse("manage:processing_retry_all")) == [
        "Retry every failed file now?"
    ]
