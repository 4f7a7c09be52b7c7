import datetime
import zoneinfo

import pytest
from django.utils import timezone

from submissions.enums import MediaKind
from submissions.forms import (
    CategoryForm,
    CloseRoundForm,
    DeadlineForm,
    RoundForm,
    bytes_to_mb,
)
from submissions.models import Category
from submissions.models.rounds import MB
from submissions.services.rounds import CATEGORY_TEXT_FIELDS, EDITABLE_TEXT_FIELDS

HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def round_data(**overrides):
    data = {
        "title_en": "Colours of Humanity",
        "title_zh_hant": "人性的色彩",
        "theme_en": "Shared Future",
        "theme_zh_hant": "共享未來",
        "rules_en": "Entry is free.\r\nOne work per category.",
        "rules_zh_hant": "免費參加。",
        "year": "2031",
        "opens_at": "2031-03-01T10:00",
        "closes_at": "2031-04-30T18:00",
        "entry_cap": "5",
        "minimum_age": "0",
        "upload_grace_minutes": "60",
    }
    data.update(overrides)
    return data


def category_data(**overrides):
    data = {
        "name_en": "Youth",
        "name_zh_hant": "青年組",
        "description_en": "Under 18 at the deadline.",
        "description_zh_hant": "截止日期時未滿十八歲。",
        "media_kinds": ["image", "video"],
        "max_files": "3",
        "max_image_mb": "20",
        "max_video_mb": "1024",
        "max_audio_mb": "100",
        "max_document_mb": "10",
        "min_age": "",
        "max_age": "17",
        "statement_word_limit": "200",
        "allows_teams": "on",
    }
    data.update(overrides)
    return data


# What category_data() means once read: the values a category is saved with.
CATEGORY_VALUES = {
    "name_en": "Youth",
    "name_zh_hant": "青年組",
    "description_en": "Under 18 at the deadline.",
    "description_zh_hant": "截止日期時未滿十八歲。",
    "media_kinds": ["image", "video"],
    "max_files": 3,
    "max_image_bytes": 20 * MB,
    "max_video_bytes": 1024 * MB,
    "max_audio_bytes": 100 * MB,
    "max_document_bytes": 10 * MB,
    "min_age": None,
    "max_age": 17,
    "statement_word_limit": 200,
    "allows_teams": True,
}


def test_round_form_reads_times_as_hong_kong_time_to_the_minute():
    form = RoundForm(round_data(opens_at="2031-03-01T10:00:45"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["opens_at"] == datetime.datetime(
        2031, 3, 1, 10, 0, tzinfo=HK
    )
    assert form.cleaned_data["opens_at"] == datetime.datetime(
        2031, 3, 1, 2, 0, tzinfo=datetime.UTC
    )
    assert form.cleaned_data["closes_at"] == datetime.datetime(
        2031, 4, 30, 18, 0, tzinfo=HK
    )


def test_round_form_uses_hong_kong_time_whatever_zone_is_active():
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        form = RoundForm(round_data())
        assert form.is_valid(), form.errors
        html = str(RoundForm(initial={"opens_at": form.cleaned_data["opens_at"]}))

    assert form.cleaned_data["opens_at"] == datetime.datetime(
        2031, 3, 1, 10, 0, tzinfo=HK
    )
    assert 'type="datetime-local" name="opens_at" value="2031-03-01T10:00"' in html


def test_round_form_keeps_html_and_scripts_as_plain_text():
    form = RoundForm(
        round_data(
            title_en="<b>Bold</b> <script>alert(1)</script>",
            rules_en='<img src=x onerror="alert(1)">',
        )
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title_en"] == "<b>Bold</b> <script>alert(1)</script>"
    assert form.cleaned_data["rules_en"] == '<img src=x onerror="alert(1)">'


def test_round_form_accepts_right_to_left_and_chinese_text():
    form = RoundForm(round_data(title_en="جائزة الفنون", theme_en="עתיד משותף 共享"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title_en"] == "جائزة الفنون"
    assert form.cleaned_data["theme_en"] == "עתיד משותף 共享"


# Bad round input that the form refuses and that the management views must explain
# while keeping what was typed (tests/submissions/test_manage_views.py).
BAD_ROUND_INPUT = [
    pytest.param(
        dict.fromkeys(round_data(), ""),
        {
            "title_en": ["Give the round a title in English or in Chinese."],
            "year": ["This field is required."],
            "entry_cap": ["This field is required."],
            "minimum_age": ["This field is required."],
            "upload_grace_minutes": ["This field is required."],
        },
        id="empty",
    ),
    pytest.param(
        {"title_en": "長" * 10_000},
        {"title_en": ["Ensure this value has at most 200 characters (it has 10000)."]},
        id="10000-characters",
    ),
    pytest.param(
        {"theme_en": "<script>\nalert(1)</script>"},
        {"theme_en": ["Please remove line breaks and control characters."]},
        id="script-with-line-break",
    ),
    pytest.param(
        {"opens_at": "2031-05-01T10:00", "closes_at": "2031-04-01T10:00"},
        {"closes_at": ["The closing time must be after the opening time."]},
        id="close-before-open",
    ),
    pytest.param(
        {"entry_cap": "0"},
        {"entry_cap": ["Ensure this value is greater than or equal to 1."]},
        id="zero-cap",
    ),
    pytest.param(
        {"entry_cap": "-2", "title_en": "שלום"},
        {"entry_cap": ["Ensure this value is greater than or equal to 1."]},
        id="negative-cap-with-rtl-title",
    ),
    pytest.param(
        {"opens_at": "2031-02-30T25:00"},
        {"opens_at": ["Enter a valid date/time."]},
        id="malformed-date",
    ),
    pytest.param(
        {"year": "MMXXXI"},
        {"year": ["Enter a whole number."]},
        id="year-in-words",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        *BAD_ROUND_INPUT,
        pytest.param(
            {"title_en": "x" * 10_000},
            {
                "title_en": [
                    "Ensure this value has at most 200 characters (it has 10000)."
                ]
            },
            id="too-long",
        ),
        pytest.param(
            {"rules_en": "x" * 20_001},
            {
                "rules_en": [
                    "Ensure this value has at most 20000 characters (it has 20001)."
                ]
            },
            id="rules-too-long",
        ),
        pytest.param(
            {"closes_at": "2031-02-28T10:00"},
            {"closes_at": ["The closing time must be after the opening time."]},
            id="close-a-day-before-open",
        ),
        pytest.param(
            {"closes_at": "2031-03-01T10:00"},
            {"closes_at": ["The closing time must be after the opening time."]},
            id="close-at-open",
        ),
        pytest.param(
            {"entry_cap": "-3"},
            {"entry_cap": ["Ensure this value is greater than or equal to 1."]},
            id="negative-cap",
        ),
        pytest.param(
            {"minimum_age": "-1", "upload_grace_minutes": "-5"},
            {
                "minimum_age": ["Ensure this value is greater than or equal to 0."],
                "upload_grace_minutes": [
                    "Ensure this value is greater than or equal to 0."
                ],
            },
            id="negative-numbers",
        ),
        pytest.param(
            {"year": "1999"},
            {"year": ["Ensure this value is greater than or equal to 2000."]},
            id="year-too-early",
        ),
        pytest.param(
            {"year": "2101"},
            {"year": ["Ensure this value is less than or equal to 2100."]},
            id="year-too-late",
        ),
        pytest.param(
            {"opens_at": "2031-02-30T10:00"},
            {"opens_at": ["Enter a valid date/time."]},
            id="no-such-day",
        ),
        pytest.param(
            {"closes_at": "next Friday"},
            {"closes_at": ["Enter a valid date/time."]},
            id="words",
        ),
        pytest.param(
            {"opens_at": "0001-01-01T00:00"},
            {"opens_at": ["Enter a date between the years 2000 and 2100."]},
            id="year-one",
        ),
        pytest.param(
            {"title_zh_hant": "人性\x07的色彩", "theme_en": "Shared\nFuture"},
            {
                "title_zh_hant": ["Please remove line breaks and control characters."],
                "theme_en": ["Please remove line breaks and control characters."],
            },
            id="control-characters",
        ),
        pytest.param(
            {"rules_en": "Entry is free.\x1b[31m"},
            {"rules_en": ["Please remove control characters."]},
            id="escape-in-rules",
        ),
        pytest.param(
            {"rules_zh_hant": "免費\x00參加"},
            {"rules_zh_hant": ["Null characters are not allowed."]},
            id="null-character",
        ),
    ],
)
def test_round_form_refuses_bad_input(overrides, errors):
    form = RoundForm(round_data(**overrides))

    assert not form.is_valid()
    assert form.errors == errors


def test_round_form_limited_to_texts_requires_both_languages():
    form = RoundForm(
        round_data(title_zh_hant="", rules_en=" "),
        editable=EDITABLE_TEXT_FIELDS,
        complete=True,
    )

    assert set(form.fields) == set(EDITABLE_TEXT_FIELDS)
    assert not form.is_valid()
    assert form.errors == {
        "title_zh_hant": ["This field is required."],
        "rules_en": ["This field is required."],
    }


def test_round_form_sent_back_unchanged_keeps_a_time_stored_with_seconds():
    stored = datetime.datetime(2031, 3, 1, 2, 0, 41, 5000, tzinfo=datetime.UTC)
    shown = RoundForm(initial={"opens_at": stored})
    assert 'name="opens_at" value="2031-03-01T10:00"' in str(shown["opens_at"])

    form = RoundForm(round_data(), initial={"opens_at": stored})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["opens_at"] == stored


def test_deadline_form_needs_a_time_and_a_reason():
    form = DeadlineForm({"closes_at": "", "reason": ""})

    assert not form.is_valid()
    assert form.errors == {
        "closes_at": ["This field is required."],
        "reason": ["This field is required."],
    }


def test_deadline_form_reads_hong_kong_time():
    form = DeadlineForm({"closes_at": "2031-05-01T09:30", "reason": "Typhoon"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "closes_at": datetime.datetime(2031, 5, 1, 9, 30, tzinfo=HK),
        "reason": "Typhoon",
    }


def test_close_form_reason_is_optional_and_one_line():
    assert CloseRoundForm({"reason": ""}).is_valid()
    form = CloseRoundForm({"reason": "a\r\nb"})
    assert not form.is_valid()
    assert form.errors == {
        "reason": ["Please remove line breaks and control characters."]
    }


def test_category_form_turns_megabytes_into_bytes():
    form = CategoryForm(category_data())

    assert form.is_valid(), form.errors
    assert form.cleaned_data == CATEGORY_VALUES


def test_category_form_shows_sizes_in_megabytes_rounded_up():
    category = Category(max_image_bytes=50 * MB, max_video_bytes=10 * MB + 1)
    form = CategoryForm(category=category)

    assert form["max_image_mb"].value() == 50
    assert form["max_video_mb"].value() == 11
    assert bytes_to_mb(MB - 1) == 1


def test_category_form_sent_back_unchanged_keeps_an_exact_byte_limit():
    category = Category(
        media_kinds=[MediaKind.IMAGE],
        max_video_bytes=10 * MB + 1,
    )
    form = CategoryForm(category_data(max_video_mb="11"), category=category)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["max_video_bytes"] == 10 * MB + 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param(
            {"name_en": "", "name_zh_hant": "", "media_kinds": []},
            {
                "name_en": ["Give the category a name in English or in Chinese."],
                "media_kinds": ["Choose at least one kind of media."],
            },
            id="empty",
        ),
        pytest.param(
            {"min_age": "18", "max_age": "17"},
            {"max_age": ["The oldest age cannot be lower than the youngest age."]},
            id="ages-out-of-order",
        ),
        pytest.param(
            {"max_image_mb": "0", "max_files": "-1", "statement_word_limit": "0"},
            {
                "max_image_mb": ["Ensure this value is greater than or equal to 1."],
                "max_files": ["Ensure this value is greater than or equal to 1."],
                "statement_word_limit": [
                    "Ensure this value is greater than or equal to 1."
                ],
            },
            id="zero-and-negative",
        ),
        pytest.param(
            {"max_video_mb": "40961", "max_age": "121"},
            {
                "max_video_mb": ["Ensure this value is less than or equal to 40960."],
                "max_age": ["Ensure this value is less than or equal to 120."],
            },
            id="too-large",
        ),
        pytest.param(
            {"media_kinds": ["image", "hologram"]},
            {
                "media_kinds": [
                    "Select a valid choice. hologram is not one of the available "
                    "choices."
                ]
            },
            id="unknown-media",
        ),
        pytest.param(
            {"name_en": "y" * 10_000, "description_en": "d" * 5001},
            {
                "name_en": [
                    "Ensure this value has at most 120 characters (it has 10000)."
                ],
                "description_en": [
                    "Ensure this value has at most 5000 characters (it has 5001)."
                ],
            },
            id="too-long",
        ),
        pytest.param(
            {"name_zh_hant": "青年\u0085組", "max_files": "three"},
            {
                "name_zh_hant": ["Please remove line breaks and control characters."],
                "max_files": ["Enter a whole number."],
            },
            id="control-character-and-words",
        ),
    ],
)
def test_category_form_refuses_bad_input(overrides, errors):
    form = CategoryForm(category_data(**overrides))

    assert not form.is_valid()
    assert form.errors == errors


def test_category_form_limited_to_texts_has_no_settings():
    form = CategoryForm(
        category_data(name_zh_hant=""),
        category=Category(media_kinds=[MediaKind.IMAGE]),
        editable=CATEGORY_TEXT_FIELDS,
        complete=True,
    )

    assert set(form.fields) == set(CATEGORY_TEXT_FIELDS)
    assert not form.is_valid()
    assert form.errors == {"name_zh_hant": ["This field is required."]}
