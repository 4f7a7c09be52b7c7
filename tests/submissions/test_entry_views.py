"""The entrant's pages: the entry form and its drafts, "My entries", submitting,
withdrawing and the receipt, and who may reach them."""

import datetime
import html
import itertools
from functools import partial

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from artsprize.common.enums import AuditVerb
from artsprize.common.form_fields import HONG_KONG
from artsprize.common.models import AuditEvent
from artsprize.common.templatetags.portal import draft_owner
from submissions.enums import (
    Credit,
    EntryState,
    FileState,
    GuardianState,
    MediaKind,
)
from submissions.models import ArtworkFile, Entry, TeamMember
from submissions.services.entries import (
    CHANGE_DEADLINE_PASSED,
    SUBMIT_DEADLINE_PASSED,
    create_entry,
    submit_entry,
)
from submissions.services.rounds import open_round_now
from tests import factories

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


def open_round(**fields):
    round_ = factories.make_round(**fields)
    open_round_now(round_, by=factories.make_staff())
    round_.refresh_from_db()
    return round_


def category_of(round_):
    return round_.categories.get()


def post_entry(client, view, entry, **data):
    """Post the entry form of ``entry`` to ``view``, "entry_edit" or "entry_submit"."""
    return client.post(
        reverse(view, args=[entry.pk]), form_data(entry.category, **data)
    )


def make_submitted(round_, entrant, **data):
    """A text work, submitted."""
    entry = make_draft(
        round_,
        entrant,
        text_work="A poem.",
        consent_original=True,
        consent_terms=True,
        **data,
    )
    submit_entry(entry, by=entrant)
    return entry


def limit_statement_words(round_, limit):
    category = category_of(round_)
    category.statement_word_limit = limit
    category.save(update_fields=["statement_word_limit"])
    return category


def category_of_first(round_):
    return round_.categories.order_by("position", "id").first()


def make_draft(round_, entrant, *, by=None, **data):
    values = {"title_en": "Shared Future", "medium": "Ink on paper"}
    values.update(data)
    return create_entry(
        round_,
        entrant=entrant,
        category=category_of(round_),
        data=values,
        by=by or entrant,
    )


def add_file(entry, *, kind=MediaKind.IMAGE, state=FileState.READY, **fields):
    number = next(_keys)
    values = {
        "entry": entry,
        "owner": entry.entrant,
        "position": number,
        "kind": kind,
        "key": f"originals/test/{number}",
        "original_name": f"photo-{number}.jpg",
        "content_type": "image/jpeg",
        "declared_size": 1000,
        "size": 1000,
        "state": state,
    }
    values.update(fields)
    return ArtworkFile.objects.create(**values)


def form_data(category, **overrides):
    data = {
        "category": category.pk,
        "title_en": "Shared Future",
        "title_zh_hant": "共享未來",
        "medium": "Ink on paper",
        "year_made": "2025",
        "dimensions": "30 × 40 cm",
        "statement": "A harbour at night, painted from memory.",
        "text_work": "",
        "credit": Credit.CREDIT_NAME,
        "consent_original": "on",
        "consent_terms": "on",
        "consent_website": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def hong_kong(moment):
    return formats.date_format(timezone.localtime(moment, HONG_KONG), "DATETIME_FORMAT")


def close_now(round_, *, ago=datetime.timedelta(seconds=1)):
    """The deadline passes: beat has not closed the round yet, the clock has."""
    round_.opens_at = timezone.now() - datetime.timedelta(days=1)
    round_.closes_at = timezone.now() - ago
    round_.save(update_fields=["opens_at", "closes_at"])


@pytest.fixture
def round_(db):
    return open_round()


@pytest.fixture
def entrant(db):
    return factories.make_entrant()


@pytest.fixture
def signed_in(client, entrant):
    client.force_login(entrant)
    return client


# --- Creating a draft -------------------------------------------------------------


def test_the_round_page_links_to_the_entry_form(client, round_):
    response = client.get(reverse("round_detail", args=[round_.pk]))
    url = reverse("entry_create", args=[round_.pk])
    assert f'href="{url}" id="enter-work"' in response.content.decode()


def test_the_form_offers_only_the_categories_the_age_at_closing_fits(signed_in):
    round_ = open_round()
    adult = category_of(round_)
    youth = factories.make_category(
        round_, name_en="Youth", name_zh_hant="青年", min_age=None, max_age=17
    )
    response = signed_in.get(reverse("entry_create", args=[round_.pk]))
    assert response.status_code == 200
    assert list(response.context["form"].fields["category"].queryset) == [adult]
    posted = signed_in.post(reverse("entry_create", args=[round_.pk]), form_data(youth))
    assert posted.status_code == 200
    assert posted.context["form"].errors["category"] == [
        "Choose one of the categories listed: your age at the deadline decides "
        "which ones you may enter."
    ]
    assert Entry.objects.count() == 0


def test_a_new_draft_is_saved_and_the_files_come_next(signed_in, entrant, round_):
    response = signed_in.post(
        reverse("entry_create", args=[round_.pk]),
        form_data(category_of(round_), consent_terms=None),
    )
    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    assert (entry.state, entry.entrant, entry.filed_by) == (
        EntryState.DRAFT,
        entrant,
        None,
    )
    assert (entry.title_en, entry.title_zh_hant, entry.medium) == (
        "Shared Future",
        "共享未來",
        "Ink on paper",
    )
    assert (entry.year_made, entry.dimensions, entry.credit) == (
        2025,
        "30 × 40 cm",
        Credit.CREDIT_NAME,
    )
    assert (entry.consent_original, entry.consent_terms, entry.consent_website) == (
        True,
        False,
        True,
    )
    saved_at = formats.time_format(
        timezone.localtime(entry.created_at, HONG_KONG), "TIME_FORMAT"
    )
    assert messages_of(response) == [
        f"Draft saved at {saved_at} (Hong Kong time). Now add the files of your work."
    ]
    assert AuditEvent.objects.for_object(entry).get().verb == AuditVerb.CREATED


def test_a_closed_round_takes_no_new_entry(signed_in, round_):
    close_now(round_)
    response = signed_in.get(reverse("entry_create", args=[round_.pk]))
    assert response.context["reason"] == "This round is not taking entries now."
    response = signed_in.post(
        reverse("entry_create", args=[round_.pk]), form_data(category_of(round_))
    )
    assert response.context["reason"] == "This round is not taking entries now."
    assert Entry.objects.count() == 0


def test_a_draft_round_is_not_found(signed_in):
    round_ = factories.make_round()
    response = signed_in.get(reverse("entry_create", args=[round_.pk]))
    assert response.status_code == 404


def test_an_account_without_a_profile_is_asked_for_one(client, round_):
    client.force_login(factories.make_user())
    response = client.get(reverse("entry_create", args=[round_.pk]))
    assert response.context["reason"] == (
        "To enter a work, your account needs an entrant profile with your date of "
        "birth."
    )
    assert response.context["show_profile_link"] is True


def test_the_round_cap_is_explained_and_the_form_kept(signed_in, entrant):
    round_ = open_round(entry_cap=1)
    make_draft(round_, entrant)
    response = signed_in.post(
        reverse("entry_create", args=[round_.pk]),
        form_data(category_of(round_), title_en="My second work"),
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "The entrant already has 1 entries in this round, the most allowed. "
        "Withdraw one to make another."
    ]
    assert response.context["form"]["title_en"].value() == "My second work"
    assert Entry.objects.count() == 1


# --- Bad input --------------------------------------------------------------------


def test_a_title_of_10000_characters_gets_a_clear_error_and_is_kept(signed_in, round_):
    title = "長" * 10000
    response = signed_in.post(
        reverse("entry_create", args=[round_.pk]),
        form_data(category_of(round_), title_zh_hant=title),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title_zh_hant"] == [
        "Ensure this value has at most 200 characters (it has 10000)."
    ]
    assert response.context["form"]["title_zh_hant"].value() == title
    assert "Please correct the fields marked below." in response.content.decode()
    assert Entry.objects.count() == 0


def test_hostile_text_is_kept_as_typed_and_shown_escaped(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    title = '<script>alert("x")</script><b>bold</b>'
    statement = "مرحبا <img src=x onerror=alert(1)> 人權\n‮reversed‬ & more"
    response = post_entry(
        signed_in, "entry_edit", entry, title_en=title, statement=statement
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title_en, entry.statement) == (title, statement)
    page = signed_in.get(reverse("entry_edit", args=[entry.pk])).content.decode()
    assert html.escape(title) in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    listing = signed_in.get(reverse("my_entries")).content.decode()
    assert html.escape(title) in listing
    assert "<script>alert" not in listing


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("medium", "a\x07b", "Please remove line breaks and control characters."),
        ("dimensions", "1\n2", "Please remove line breaks and control characters."),
        ("statement", "a\x00b", "Null characters are not allowed."),
        ("year_made", "-5", "Ensure this value is greater than or equal to 1900."),
        ("year_made", "nineteen", "Enter a whole number."),
        ("credit", "everyone", None),
    ],
)
def test_bad_values_are_refused_with_a_message_and_kept(
    signed_in, entrant, round_, field, value, error
):
    entry = make_draft(round_, entrant)
    response = post_entry(
        signed_in, "entry_edit", entry, title_en="Kept title", **{field: value}
    )
    form = response.context["form"]
    assert response.status_code == 200
    if error is None:
        assert form.errors[field] == [
            f"Select a valid choice. {value} is not one of the available choices."
        ]
    else:
        assert form.errors[field] == [error]
    assert form["title_en"].value() == "Kept title"
    entry.refresh_from_db()
    assert entry.title_en == "Shared Future"


def test_a_draft_over_the_word_limit_is_saved_with_a_warning(
    signed_in, entrant, round_
):
    limit_statement_words(round_, 5)
    entry = make_draft(round_, entrant)
    statement = "香港人權藝術獎 is here"
    response = post_entry(signed_in, "entry_edit", entry, statement=statement)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.state, entry.statement) == (EntryState.DRAFT, statement)
    shown = messages_of(response)
    assert shown[0].startswith("Draft saved at ")
    assert shown[1:] == [
        "The artist statement has 9 words; this category allows at most 5. "
        "Shorten it before you submit the entry."
    ]
    page = signed_in.get(reverse("entry_edit", args=[entry.pk]))
    assert page.context["form"]["statement"].value() == statement
    assert page.context["problems"][0] == (
        "The artist statement has 9 words; this category allows at most 5."
    )


def test_a_new_draft_over_the_word_limit_is_saved_with_a_warning(
    signed_in, entrant, round_
):
    category = limit_statement_words(round_, 2)
    response = signed_in.post(
        reverse("entry_create", args=[round_.pk]),
        form_data(category, statement="one two three"),
    )
    entry = Entry.objects.get()
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    assert entry.statement == "one two three"
    assert messages_of(response)[1] == (
        "The artist statement has 3 words; this category allows at most 2. "
        "Shorten it before you submit the entry."
    )


def test_submit_refuses_a_statement_over_the_word_limit_and_keeps_it(
    signed_in, entrant, round_
):
    limit_statement_words(round_, 5)
    entry = make_draft(round_, entrant)
    statement = "香港人權藝術獎 is here"
    response = post_entry(
        signed_in, "entry_submit", entry, statement=statement, text_work="A poem."
    )
    assert response.status_code == 200
    assert response.context["problems"] == [
        "The artist statement has 9 words; this category allows at most 5."
    ]
    assert response.context["form"]["statement"].value() == statement
    entry.refresh_from_db()
    assert (entry.state, entry.statement) == (EntryState.DRAFT, statement)


def test_a_submitted_entry_keeps_its_statement_within_the_limit(
    signed_in, entrant, round_
):
    entry = make_submitted(round_, entrant, statement="Short.")
    limit_statement_words(round_, 3)
    response = post_entry(
        signed_in,
        "entry_edit",
        entry,
        statement="one two three four",
        text_work="A poem.",
    )
    assert response.status_code == 200
    assert response.context["problems"] == [
        "The artist statement has 4 words; this category allows at most 3."
    ]
    assert response.context["form"]["statement"].value() == "one two three four"
    entry.refresh_from_db()
    assert entry.statement == "Short."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Draft saved at {time} (Hong Kong time)."),
        ("zh-hant", "草稿已於香港時間 {time} 儲存。"),
    ],
)
def test_the_saved_message_ends_with_one_full_stop(
    signed_in, entrant, round_, settings, language, expected
):
    entry = make_draft(round_, entrant)
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    before = timezone.now()
    response = post_entry(signed_in, "entry_edit", entry)
    after = timezone.now()
    with translation.override(language):
        times = {
            formats.time_format(timezone.localtime(moment, HONG_KONG), "TIME_FORMAT")
            for moment in (before, after)
        }
        shown = messages_of(response)
    # "1:54 p.m." ends with a full stop of its own: the sentence goes on after it.
    assert shown in [[expected.format(time=time)] for time in times]
    assert ".." not in shown[0]


def test_the_statement_carries_the_word_counter(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    page = signed_in.get(reverse("entry_edit", args=[entry.pk])).content.decode()
    assert 'data-word-limit="300"' in page
    assert 'data-word-count-template="%(count)s of %(limit)s words"' in page
    assert "/static/js/wordcount.js" in page


# --- Drafts and what they still need ----------------------------------------------


def test_save_draft_keeps_an_incomplete_entry_and_lists_what_is_missing(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant)
    response = post_entry(
        signed_in,
        "entry_edit",
        entry,
        title_en="Half done",
        medium="",
        statement="",
        consent_terms=None,
        action="save",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    assert messages_of(response)[0].startswith("Draft saved at ")
    entry.refresh_from_db()
    assert (entry.state, entry.title_en, entry.medium) == (
        EntryState.DRAFT,
        "Half done",
        "",
    )
    page = signed_in.get(reverse("entry_edit", args=[entry.pk]))
    assert page.context["problems"] == [
        "Say what the medium of the work is.",
        "Write an artist statement.",
        "Accept the terms of the prize.",
        "Add at least one file of the work, or type it in.",
    ]
    assert "To submit this entry, it still needs:" in page.content.decode()


def test_what_a_draft_still_needs_is_refreshed_after_an_upload(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant, statement="A statement.")
    url = reverse("entry_edit", args=[entry.pk])
    page = signed_in.get(url).content.decode()
    assert (
        f'<div id="entry-checklist" aria-live="polite" '
        f'data-checklist-url="{url}?part=checklist">'
    ) in page
    before = signed_in.get(f"{url}?part=checklist")
    assert before.context["problems"] == [
        "Confirm that the work is the artist's own original work.",
        "Accept the terms of the prize.",
        "Add at least one file of the work, or type it in.",
    ]
    add_file(entry, alt_text="")
    after = signed_in.get(f"{url}?part=checklist")
    assert after.context["problems"] == [
        "Confirm that the work is the artist's own original work.",
        "Accept the terms of the prize.",
        f"Describe the image “{entry.files.get().original_name}” for people who "
        "cannot see it.",
    ]
    assert (
        after.content.decode()
        .strip()
        .startswith(
            '<div class="alert alert-warning" role="alert" id="entry-problems">'
        )
    )
    assert "<html" not in after.content.decode()


def test_a_refused_save_keeps_its_reasons_without_the_live_checklist(
    signed_in, entrant, round_
):
    entry = make_submitted(round_, entrant, statement="Mine.")
    refused = post_entry(signed_in, "entry_edit", entry, medium="", text_work="A poem.")
    assert refused.context["problems"] == ["Say what the medium of the work is."]
    assert refused.context["checklist_url"] == ""
    assert 'id="entry-checklist"' not in refused.content.decode()


def test_the_description_of_each_image_is_saved_with_the_draft(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant)
    image = add_file(entry)
    rejected = add_file(entry, state=FileState.REJECTED, reason="too_large")
    page = signed_in.get(reverse("entry_edit", args=[entry.pk]))
    form = page.context["form"]
    assert [field.name for field in form.alt_text_fields] == [f"alt_text_{image.pk}"]
    assert (
        "The file that arrived is larger than this category allows, so it was not "
        "accepted." in page.content.decode()
    )
    response = post_entry(
        signed_in, "entry_edit", entry, **{f"alt_text_{image.pk}": "A red harbour."}
    )
    assert response.status_code == 302
    image.refresh_from_db()
    rejected.refresh_from_db()
    assert (image.alt_text, rejected.alt_text) == ("A red harbour.", "")


def test_team_members_are_saved_when_the_category_takes_teams(
    signed_in, entrant, round_
):
    category = category_of(round_)
    category.allows_teams = True
    category.save(update_fields=["allows_teams"])
    entry = make_draft(round_, entrant)
    data = form_data(
        category,
        **{
            "team-TOTAL_FORMS": "2",
            "team-INITIAL_FORMS": "0",
            "team-MIN_NUM_FORMS": "0",
            "team-MAX_NUM_FORMS": "20",
            "team-0-name": "Wong Siu Ming",
            "team-0-role": "Camera",
            "team-0-agreed": "on",
            "team-0-is_minor": "on",
            "team-0-guardian_name": "Wong Tai Tai",
            "team-1-name": "",
        },
    )
    response = signed_in.post(reverse("entry_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    member = TeamMember.objects.get(entry=entry)
    assert (
        member.name,
        member.role,
        member.agreed,
        member.is_minor,
        member.guardian_name,
        member.guardian_agreed,
    ) == ("Wong Siu Ming", "Camera", True, True, "Wong Tai Tai", False)
    page = signed_in.get(reverse("entry_edit", args=[entry.pk]))
    assert page.context["problems"][-1] == (
        "Wong Siu Ming is under 18: give their guardian's name and confirm that the "
        "guardian agreed."
    )


def test_an_expired_session_goes_to_login_and_the_saved_draft_is_intact(
    client, entrant, round_
):
    entry = make_draft(round_, entrant, statement="Saved before.")
    url = reverse("entry_edit", args=[entry.pk])
    response = client.post(url, form_data(entry.category, title_en="Lost?"))
    assert response.status_code == 302
    assert response["Location"] == (
        f"/accounts/login/?next=/entries/{entry.pk}/&session_ended=1"
    )
    entry.refresh_from_db()
    assert (entry.title_en, entry.statement) == ("Shared Future", "Saved before.")
    client.force_login(entrant)
    page = client.get(url)
    assert page.context["form"]["statement"].value() == "Saved before."


@pytest.mark.parametrize("name", ["entry_edit", "entry_submit", "entry_create"])
def test_a_form_sent_after_the_session_ended_gets_a_log_in_page_saying_so(
    client, entrant, round_, name
):
    entry = make_draft(round_, entrant)
    path = reverse(name, args=[round_.pk if name == "entry_create" else entry.pk])
    response = client.post(path, form_data(entry.category, title_en="Typed"))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}&session_ended=1"
    page = client.get(response["Location"]).content.decode()
    assert (
        '<div class="alert alert-warning" role="alert" id="session-ended">'
        "<p>Your session ended, so you were logged out. Log in again to go on.</p>"
    ) in page
    assert (
        '<p class="mb-0" data-draft-kept hidden>What you typed is kept in this '
        "browser: after you log in, you can restore it on the form.</p>"
    ) in page
    assert "/static/js/draft_copy.js" in page
    assert f'<input type="hidden" name="next" value="{path}">' in page
    # Only a form sent without a sign-in brings the notice.
    assert (
        'id="session-ended"'
        not in client.get(f"/accounts/login/?next={path}").content.decode()
    )


def test_the_session_ended_notice_is_in_chinese(client, entrant, round_, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    page = client.get("/accounts/login/?next=/entries/&session_ended=1")
    assert "<p>您的工作階段已結束，所以您已被登出。請重新登入以繼續。</p>" in (
        page.content.decode()
    )
    assert "您輸入的內容已保留在此瀏覽器中：登入後，您可以在表格上還原。" in (
        page.content.decode()
    )


def test_the_entry_form_carries_what_the_browser_copy_needs(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    page = signed_in.get(reverse("entry_edit", args=[entry.pk])).content.decode()
    owner = draft_owner(entrant)
    assert len(owner) == 24 and str(entrant.pk) != owner
    assert owner != draft_owner(factories.make_entrant())
    assert f'data-draft-owner="{owner}"' in page
    assert f'data-draft-key="entry-{entry.pk}"' in page
    assert f'data-draft-created-from="new-{round_.pk}"' in page
    assert "data-draft-unsaved" not in page
    assert '<input type="hidden" name="page_language" value="en">' in page
    assert '<input type="hidden" name="needs_sign_in" value="1">' in page
    assert "/static/js/draft_copy.js" in page
    assert '<button type="button" class="btn btn-primary" data-draft-restore>' in page
    refused = post_entry(
        signed_in, "entry_edit", entry, medium="a\x07"
    ).content.decode()
    assert "data-draft-unsaved" in refused
    new = signed_in.get(reverse("entry_create", args=[round_.pk])).content.decode()
    assert f'data-draft-key="new-{round_.pk}"' in new
    # After the deadline the form is locked: the browser's copy is left alone.
    close_now(round_)
    locked = signed_in.get(reverse("entry_edit", args=[entry.pk])).content.decode()
    assert "data-draft-key" not in locked


# --- Submitting -------------------------------------------------------------------


def test_submit_saves_the_form_and_shows_the_receipt(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    response = post_entry(
        signed_in, "entry_submit", entry, text_work="A poem\nof two lines."
    )
    entry.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("entry_receipt", args=[entry.pk])
    reference = f"HRAP-{round_.year}-0001"
    assert (entry.state, entry.reference, entry.text_work) == (
        EntryState.SUBMITTED,
        reference,
        "A poem\nof two lines.",
    )
    assert messages_of(response) == [
        f"Your entry was submitted. Its reference is {reference}."
    ]


def test_a_double_click_submits_once(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    url = reverse("entry_submit", args=[entry.pk])
    data = form_data(entry.category, text_work="A poem.")
    first = signed_in.post(url, data)
    second = signed_in.post(url, data)
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("entry_receipt", args=[entry.pk])
    assert messages_of(second)[-1] == "This entry has already been submitted."
    entry.refresh_from_db()
    assert entry.reference == f"HRAP-{round_.year}-0001"
    round_.refresh_from_db()
    assert round_.last_reference_number == 1
    assert factories.audit_count(entry, verb=AuditVerb.STATE_CHANGED) == 1


def test_a_refused_submit_lists_the_problems_and_keeps_everything(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant)
    response = post_entry(
        signed_in,
        "entry_submit",
        entry,
        title_en="Typed just now",
        consent_original=None,
        text_work="",
    )
    assert response.status_code == 200
    assert messages_of(response) == ["The entry is not ready to be submitted yet."]
    assert response.context["problems"] == [
        "Confirm that the work is the artist's own original work.",
        "Add at least one file of the work, or type it in.",
    ]
    assert response.context["form"]["title_en"].value() == "Typed just now"
    entry.refresh_from_db()
    assert (entry.state, entry.title_en, entry.reference) == (
        EntryState.DRAFT,
        "Typed just now",
        None,
    )


def test_submit_after_the_deadline_is_refused_and_the_draft_kept(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant, statement="My draft.")
    close_now(round_)
    response = post_entry(
        signed_in, "entry_submit", entry, statement="Typed after the deadline."
    )
    assert response.status_code == 200
    assert messages_of(response) == [str(SUBMIT_DEADLINE_PASSED)]
    assert response.context["form"]["statement"].value() == "Typed after the deadline."
    assert response.context["editable"] is False
    entry.refresh_from_db()
    assert (entry.state, entry.statement) == (EntryState.DRAFT, "My draft.")


def test_a_draft_cannot_be_changed_after_the_deadline(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    close_now(round_)
    page = signed_in.get(reverse("entry_edit", args=[entry.pk]))
    assert page.context["editable"] is False
    assert str(CHANGE_DEADLINE_PASSED) in page.content.decode()
    assert page.context["form"].fields["title_en"].disabled is True
    response = post_entry(signed_in, "entry_edit", entry, title_en="Too late")
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    assert messages_of(response) == [str(CHANGE_DEADLINE_PASSED)]
    entry.refresh_from_db()
    assert entry.title_en == "Shared Future"


def test_a_submitted_entry_can_be_changed_until_the_deadline_but_stays_complete(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant)
    other = factories.make_category(round_, name_en="Other", min_age=None)
    post_entry(signed_in, "entry_submit", entry, text_work="A poem.")
    url = reverse("entry_edit", args=[entry.pk])
    page = signed_in.get(url)
    assert page.context["form"].fields["category"].disabled is True
    assert page.context["can_submit"] is False
    assert "Save changes" in page.content.decode()
    changed = signed_in.post(
        url, form_data(other, title_en="New title", text_work="A poem.")
    )
    assert messages_of(changed)[-1].startswith("Changes saved at ")
    refused = signed_in.post(
        url, form_data(entry.category, medium="", text_work="A poem.")
    )
    assert refused.status_code == 200
    assert messages_of(refused)[-1] == "A submitted entry must stay complete."
    assert refused.context["problems"] == ["Say what the medium of the work is."]
    assert refused.context["problems_title"] == "Not saved:"
    entry.refresh_from_db()
    assert (entry.state, entry.category, entry.title_en, entry.medium) == (
        EntryState.SUBMITTED,
        category_of_first(round_),
        "New title",
        "Ink on paper",
    )


def test_a_get_of_the_submit_url_changes_nothing(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    response = signed_in.get(reverse("entry_submit", args=[entry.pk]))
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


# --- The receipt ------------------------------------------------------------------


def test_the_receipt_shows_the_reference_time_files_and_hashes(
    signed_in, entrant, round_
):
    entry = make_draft(round_, entrant, statement="Statement.")
    ready = add_file(entry, alt_text="A harbour.", sha256="ab" * 32)
    waiting = add_file(
        entry, state=FileState.PROCESSING, alt_text="A street.", sha256=""
    )
    post_entry(
        signed_in,
        "entry_submit",
        entry,
        **{
            f"alt_text_{ready.pk}": "A harbour.",
            f"alt_text_{waiting.pk}": "A street.",
        },
    )
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED
    response = signed_in.get(reverse("entry_receipt", args=[entry.pk]))
    page = response.content.decode()
    assert response.context["entry"].reference == f"HRAP-{round_.year}-0001"
    assert (
        '<dd class="col-sm-8 fs-5 fw-semibold" id="receipt-reference">'
        f"HRAP-{round_.year}-0001</dd>"
    ) in page
    assert hong_kong(entry.submitted_at) in page
    assert "(Hong Kong time)" in page
    assert "ab" * 32 in page
    assert page.count("once processed") == 1
    assert ready.original_name in page and waiting.original_name in page
    assert "/static/css/print.css" in page and 'media="print"' in page
    assert "data-print" in page


@pytest.mark.parametrize(
    ("credit", "shown"),
    [
        (Credit.LEGAL_NAME, "Chan Tai Man"),
        (Credit.CREDIT_NAME, "Tai"),
        (Credit.ANONYMOUS, "Anonymous"),
    ],
)
def test_the_receipt_shows_the_credit_as_it_will_be_printed(
    signed_in, entrant, round_, credit, shown, django_capture_on_commit_callbacks
):
    entry = make_draft(round_, entrant)
    with django_capture_on_commit_callbacks(execute=True):
        post_entry(signed_in, "entry_submit", entry, credit=credit, text_work="A poem.")
    page = signed_in.get(reverse("entry_receipt", args=[entry.pk])).content.decode()
    assert f'<dd class="col-sm-8" id="receipt-credit" dir="auto">{shown}</dd>' in page
    (receipt,) = [message for message in mail.outbox if message.to == [entrant.email]]
    assert f"\nName shown with the work: {shown}\n" in receipt.body


def test_without_a_credit_name_the_legal_name_is_printed(signed_in, entrant, round_):
    entrant.profile.credit_name = ""
    entrant.profile.save(update_fields=["credit_name"])
    entry = make_submitted(round_, entrant, statement="Mine.")
    page = signed_in.get(reverse("entry_receipt", args=[entry.pk])).content.decode()
    assert (
        '<dd class="col-sm-8" id="receipt-credit" dir="auto">Chan Tai Man</dd>' in page
    )


def test_a_draft_has_no_receipt_yet(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    response = signed_in.get(reverse("entry_receipt", args=[entry.pk]))
    assert response["Location"] == reverse("entry_edit", args=[entry.pk])
    assert messages_of(response) == [
        "A receipt is given once the entry has been submitted."
    ]


# --- Withdrawing ------------------------------------------------------------------


def test_withdrawing_asks_for_confirmation_first(signed_in, entrant, round_):
    entry = make_draft(round_, entrant)
    page = signed_in.get(reverse("entry_withdraw", args=[entry.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Withdraw the entry?" in content
    assert "Yes, withdraw it" in content
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT
    response = signed_in.post(
        reverse("entry_withdraw", args=[entry.pk]), {"reason": "Sold elsewhere."}
    )
    assert response["Location"] == reverse("my_entries")
    assert messages_of(response) == ["The entry “Shared Future” was withdrawn."]
    entry.refresh_from_db()
    assert entry.state == EntryState.WITHDRAWN
    event = AuditEvent.objects.for_object(entry).get(verb=AuditVerb.STATE_CHANGED)
    assert (event.from_state, event.to_state, event.reason) == (
        EntryState.DRAFT,
        EntryState.WITHDRAWN,
        "Sold elsewhere.",
    )
    again = signed_in.post(reverse("entry_withdraw", args=[entry.pk]))
    assert messages_of(again)[-1] == "This entry has already been withdrawn."


# --- My entries -------------------------------------------------------------------


def test_my_entries_lists_state_reference_deadline_and_files(
    signed_in, entrant, round_
):
    draft = make_draft(round_, entrant, title_en="The draft")
    add_file(draft, state=FileState.AWAITING_UPLOAD, original_name="big-video.mp4")
    submitted = make_submitted(
        round_, entrant, title_en="The submitted one", statement="Statement."
    )
    other = factories.make_entrant()
    make_draft(round_, other, title_en="Someone else's")
    response = signed_in.get(reverse("my_entries"))
    page = response.content.decode()
    assert [item["entry"] for item in response.context["items"]] == [submitted, draft]
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    assert f"HRAP-{round_.year}-0001" in page
    assert hong_kong(round_.closes_at) in page
    assert 'data-file-state="awaiting_upload"' in page
    assert "file-state-awaiting_upload" in page and ">Uploading</span>" in page
    assert "big-video.mp4" in page
    assert reverse("entry_receipt", args=[submitted.pk]) in page
    assert reverse("entry_receipt", args=[draft.pk]) not in page
    assert reverse("entry_withdraw", args=[draft.pk]) in page
    assert reverse("entry_edit", args=[draft.pk]) in page


def test_my_entries_has_no_edit_link_after_the_deadline(signed_in, entrant, round_):
    make_draft(round_, entrant)
    close_now(round_)
    response = signed_in.get(reverse("my_entries"))
    assert response.context["items"][0]["editable"] is False
    assert "Continue" not in response.content.decode()


def _count_my_entries_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_entries"))
    assert response.status_code == 200
    return len(queries), len(response.context["items"])


def test_my_entries_takes_as_many_queries_for_20_entries_as_for_1(signed_in, entrant):
    round_ = open_round(entry_cap=50)
    entry = make_draft(round_, entrant)
    add_file(entry)
    one, listed = _count_my_entries_queries(signed_in)
    assert listed == 1
    for number in range(19):
        entry = make_draft(round_, entrant, title_en=f"Work {number}")
        add_file(entry)
        add_file(entry, state=FileState.PROCESSING)
    twenty, listed = _count_my_entries_queries(signed_in)
    assert listed == 20
    assert twenty == one


# --- Who may see and change an entry ----------------------------------------------


ENTRY_URLS = [
    "entry_edit",
    "entry_submit",
    "entry_withdraw",
    "entry_receipt",
    "entry_guardian_resend",
]


@pytest.mark.parametrize("name", ENTRY_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_entrants_entry_is_not_found(client, round_, name, method):
    owner = factories.make_entrant()
    entry = make_draft(round_, owner)
    submit_entry(
        create_entry(
            round_,
            entrant=owner,
            category=category_of(round_),
            data={
                "title_en": "Submitted",
                "medium": "Oil",
                "statement": "Mine.",
                "text_work": "Poem.",
                "consent_original": True,
                "consent_terms": True,
            },
            by=owner,
        ),
        by=owner,
    )
    client.force_login(factories.make_entrant())
    for target in Entry.objects.filter(entrant=owner):
        response = getattr(client, method)(
            reverse(name, args=[target.pk]), form_data(target.category)
        )
        assert response.status_code == 404
    missing = getattr(client, method)(reverse(name, args=[99999]))
    assert missing.status_code == 404
    entry.refresh_from_db()
    assert (entry.state, entry.title_en) == (EntryState.DRAFT, "Shared Future")


@pytest.mark.parametrize("name", ENTRY_URLS)
def test_staff_cannot_change_an_entrants_entry_here(mfa_client, round_, name):
    entry = make_draft(round_, factories.make_entrant())
    client = mfa_client(factories.make_staff())
    response = client.post(reverse(name, args=[entry.pk]), form_data(entry.category))
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.state == EntryState.DRAFT


@pytest.mark.parametrize(
    "url",
    [
        lambda entry: reverse("my_entries"),
        lambda entry: reverse("entry_create", args=[entry.round_id]),
        lambda entry: reverse("entry_edit", args=[entry.pk]),
        lambda entry: reverse("entry_receipt", args=[entry.pk]),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, entrant, round_, url):
    path = url(make_draft(round_, entrant))
    response = client.get(path)
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_the_filing_caseworker_edits_and_records_consent(client, round_):
    caseworker = factories.make_caseworker()
    artist = factories.make_entrant()
    entry = make_draft(round_, artist, by=caseworker)
    client.force_login(caseworker)
    response = post_entry(
        client,
        "entry_submit",
        entry,
        text_work="A poem.",
        consent_method="interpreter",
        consent_notes="Cantonese interpreter present.",
    )
    assert response["Location"] == reverse("entry_receipt", args=[entry.pk])
    entry.refresh_from_db()
    assert (entry.state, entry.filed_by, entry.consent_method) == (
        EntryState.SUBMITTED,
        caseworker,
        "interpreter",
    )
    other = factories.make_caseworker()
    client.force_login(other)
    assert client.get(reverse("entry_edit", args=[entry.pk])).status_code == 404


# --- Under-18 entrants --------------------------------------------------------------


def test_a_minor_gives_a_guardian_and_sees_the_confirmation_status(client):
    round_ = open_round()
    youth = factories.make_category(
        round_, name_en="Youth", name_zh_hant="青年", min_age=None, max_age=17
    )
    minor = factories.make_entrant(age=15)
    client.force_login(minor)
    page = client.get(reverse("entry_create", args=[round_.pk]))
    assert [field.name for field in page.context["form"].guardian_fields] == [
        "guardian_name",
        "guardian_email",
    ]
    client.post(
        reverse("entry_create", args=[round_.pk]),
        form_data(youth, guardian_name="Chan Tai Tai"),
    )
    entry = Entry.objects.get()
    bad_email = client.post(
        reverse("entry_edit", args=[entry.pk]),
        form_data(youth, guardian_name="Chan Tai Tai", guardian_email="parent@"),
    )
    assert bad_email.context["form"].errors["guardian_email"] == [
        "Enter a valid email address."
    ]
    refused = client.post(
        reverse("entry_submit", args=[entry.pk]),
        form_data(youth, text_work="A poem.", guardian_name="Chan Tai Tai"),
    )
    assert refused.context["problems"] == [
        "The entrant is under 18: give the e-mail address of a parent or guardian, "
        "who will be asked to confirm."
    ]
    submitted = client.post(
        reverse("entry_submit", args=[entry.pk]),
        form_data(
            youth,
            text_work="A poem.",
            guardian_name="Chan Tai Tai",
            guardian_email="parent@example.org",
        ),
    )
    assert submitted["Location"] == reverse("entry_receipt", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.guardian_state == GuardianState.PENDING
    page = client.get(reverse("entry_edit", args=[entry.pk]))
    content = page.content.decode()
    assert "Waiting for the guardian&#x27;s confirmation" in content
    assert reverse("entry_guardian_resend", args=[entry.pk]) in content
    resent = client.post(reverse("entry_guardian_resend", args=[entry.pk]))
    assert resent["Location"] == reverse("entry_edit", args=[entry.pk])
    assert messages_of(resent) == [
        "The guardian was sent the e-mail less than 10 minutes ago. Please wait a "
        "few minutes before sending it again."
    ]


# --- Two clicks at the same moment (PostgreSQL locks rows) ------------------------


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks are tested on PostgreSQL (SQLite locks the whole file)")


def test_two_submits_at_the_same_moment_submit_once_and_mail_once(postgresql):
    round_ = open_round()
    entrant = factories.make_entrant()
    entry = make_draft(round_, entrant)
    url = reverse("entry_submit", args=[entry.pk])
    data = form_data(entry.category, text_work="A poem.")
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(entrant)

    results = factories.at_once(
        *(partial(client.post, url, data) for client in clients)
    )

    receipt = reverse("entry_receipt", args=[entry.pk])
    assert [response["Location"] for response in results] == [receipt, receipt]
    entry.refresh_from_db()
    assert (entry.state, entry.reference) == (
        EntryState.SUBMITTED,
        f"HRAP-{round_.year}-0001",
    )
    assert factories.audit_count(entry, verb=AuditVerb.STATE_CHANGED) == 1
    receipts = [message for message in mail.outbox if message.to == [entrant.email]]
    assert len(receipts) == 1
    assert f"HRAP-{round_.year}-0001" in receipts[0].body
