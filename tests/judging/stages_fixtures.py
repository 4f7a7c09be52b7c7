"""What the tests of setting up stages share: the data a staff member gives a
stage or a criterion, as the services take it and as the forms send it."""

import datetime
import zoneinfo

from django.utils import timezone

from judging.enums import AssignmentMode, StageMode, Visibility
from tests import factories
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
)

HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def later(days=14):
    """A Hong Kong moment ``days`` from now, to the minute, as forms give it."""
    return (timezone.now().astimezone(HK) + datetime.timedelta(days=days)).replace(
        second=0, microsecond=0
    )


def stage_data(round_, **overrides):
    """A stage's settings as ``create_stage`` takes them."""
    data = {
        "name_en": "First round",
        "name_zh_hant": "初選",
        "categories": list(round_.categories.all()),
        "previous": None,
        "mode": StageMode.CRITERIA,
        "ranking_size": 10,
        "blind": True,
        "visibility": Visibility.AFTER_CLOSE,
        "min_judges": 2,
        "assignment_mode": AssignmentMode.BALANCED,
        "judges_per_entry": 2,
        "opens_at": None,
        "closes_at": later(),
    }
    data.update(overrides)
    return data


def hk_minute(moment):
    return moment.astimezone(HK).strftime("%Y-%m-%dT%H:%M")


def stage_post(round_, **overrides):
    """A stage's settings as the stage form sends them."""
    data = stage_data(round_)
    post = {
        "name_en": data["name_en"],
        "name_zh_hant": data["name_zh_hant"],
        "categories": [category.pk for category in data["categories"]],
        "previous": "",
        "mode": data["mode"],
        "ranking_size": "10",
        "blind": "on",
        "visibility": data["visibility"],
        "min_judges": "2",
        "assignment_mode": data["assignment_mode"],
        "judges_per_entry": "2",
        "opens_at": "",
        "closes_at": hk_minute(data["closes_at"]),
    }
    post.update(overrides)
    return {name: value for name, value in post.items() if value is not None}


def criterion_data(**overrides):
    data = {
        "name_en": "Originality",
        "name_zh_hant": "原創性",
        "description_en": "How new the work's way of seeing is.",
        "description_zh_hant": "作品的觀點有多新穎。",
        "weight": 2,
        "scale_min": 1,
        "scale_max": 10,
        "half_points": False,
    }
    data.update(overrides)
    return data


def criterion_post(**overrides):
    data = {
        name: ("on" if value is True else value)
        for name, value in criterion_data().items()
        if value is not False
    }
    data.update(overrides)
    return data


def make_round_with_youth(*, entries=2):
    """A round ready for judging with an adult and a youth category (the shared
    factory's ``youth=True`` gives the youth category an age band out of
    order)."""
    round_ = make_judging_round(entries=entries)
    factories.make_category(
        round_, name_en="Youth", name_zh_hant="青年組", min_age=None, max_age=17
    )
    return round_


def ready_stage(round_, **fields):
    """A stage of ``round_`` (closed, screened) that can open: criteria, a panel
    of two judges, every entry assigned to both."""
    stage = make_stage(round_, **fields)
    judges = [factories.make_judge(), factories.make_judge()]
    add_to_panel(stage, *judges, chair=judges[0])
    assign_everyone(stage, judges)
    return stage
