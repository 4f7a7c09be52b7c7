"""The screening pages: the queue, one entry at a time, bulk decisions, the release,
the reason templates, and what entrants see afterwards."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artsprize.common.enums import AuditVerb
from submissions.enums import MatchKind, RoundState, ScreeningState
from submissions.models import Entry, FileMatch, Round, ScreeningReason
from submissions.services.rounds import close_round_now
from submissions.services.screening import release_screening, set_screening
from tests import factories
from tests.entry_factories import add_file, make_open_round, make_submitted_entry

pytestmark = pytest.mark.django_db

ELIGIBLE = ScreeningState.ELIGIBLE
INELIGIBLE = ScreeningState.INELIGIBLE
UNSCREENED = ScreeningState.UNSCREENED


@pytest.fixture
def staff():
    user = factories.make_staff(email="screener@example.org")
    return user


@pytest.fixture
def staff_client(mfa_client, staff):
    staff.passed_two_factor = True
    return mfa_client(staff)


def closed_round(count, *, staff):
    round_ = make_open_round()
    for _number in range(count):
        make_submitted_entry(round_, entrant=factories.make_entrant())
    close_round_now(round_, by=_two_factor(staff))
    round_.refresh_from_db()
    return round_


def _two_factor(user):
    user.passed_two_factor = True
    return user


def entries_of(round_):
    return list(Entry.objects.filter(round=round_).order_by("reference"))


def shown(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def queue_url(round_, **query):
    url = reverse("manage:screening", args=[round_.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def entry_url(round_, entry):
    return reverse("manage:screening_entry", args=[round_.pk, entry.pk])


@pytest.mark.parametrize("role", ["anonymous", "entrant", "caseworker", "judge"])
def test_only_staff_reach_the_screening_pages(client, mfa_client, role, staff):
    round_ = closed_round(1, staff=staff)
    (entry,) = entries_of(round_)
    if role == "entrant":
        client.force_login(entry.entrant)
    elif role == "caseworker":
        client.force_login(factories.make_caseworker())
    elif role == "judge":
        mfa_client(factories.make_judge())
    urls = [
        ("get", queue_url(round_)),
        ("get", entry_url(round_, entry)),
        ("post", entry_url(round_, entry)),
        ("post", reverse("manage:screening_bulk", args=[round_.pk])),
        ("post", reverse("manage:screening_release", args=[round_.pk])),
        ("get", reverse("manage:screening_reasons")),
        ("post", reverse("manage:screening_reason_create")),
    ]
    for method, url in urls:
        response = getattr(client, method)(
            url, {"decision": "eligible", "seen": "unscreened"}
        )
        if role == "anonymous":
            assert response.status_code == 302
            assert response.url.startswith(reverse("account_login"))
        else:
            assert response.status_code == 403, url
    entry.refresh_from_db()
    assert entry.screening == UNSCREENED


def test_staff_without_two_factor_are_sent_to_it(client, staff):
    round_ = closed_round(1, staff=staff)
    client.force_login(factories.make_staff())

    response = client.get(queue_url(round_))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_the_queue_lists_submitted_entries_with_their_checks(staff_client, staff):
    round_ = closed_round(2, staff=staff)
    first, second = entries_of(round_)
    set_screening(first, INELIGIBLE, by=_two_factor(staff), text="Made in 2010.")

    response = staff_client.get(queue_url(round_))

    assert response.status_code == 200
    assert [entry.reference for entry in response.context["entries"]] == [
        first.reference,
        second.reference,
    ]
    assert response.context["entries"][0].age == 30
    assert "Made in 2010." in response.text
    # Staff see the credit as the public would, never the entrant's legal name.
    assert "Chan Tai Man" not in response.text
    assert first.entrant.email not in response.text


def test_the_queue_filters_by_screening_and_flags(staff_client, staff):
    round_ = closed_round(3, staff=staff)
    first, second, third = entries_of(round_)
    set_screening(first, ELIGIBLE, by=_two_factor(staff))
    Entry.objects.filter(pk=third.pk).update(content_warning=True)
    add_file(second, state="rejected")

    def references(**query):
        response = staff_client.get(queue_url(round_, **query))
        return [entry.reference for entry in response.context["entries"]]

    assert references(screening="unscreened") == [second.reference, third.reference]
    assert references(flag="content_warning") == [third.reference]
    assert references(problems="on") == [second.reference]
    assert references(screening="eligible") == [first.reference]


def test_the_queue_reads_as_many_queries_for_50_entries_as_for_one(
    staff_client, staff, django_assert_num_queries
):
    round_ = closed_round(1, staff=staff)
    staff_client.get(queue_url(round_))
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(queue_url(round_))
    assert len(response.context["entries"]) == 1

    closed = {"state": round_.state, "closes_at": round_.closes_at}
    # Taking entries again for a moment, as if they had come before the deadline.
    Round.objects.filter(pk=round_.pk).update(
        state=RoundState.OPEN, closes_at=timezone.now() + datetime.timedelta(days=1)
    )
    round_.refresh_from_db()
    for _number in range(49):
        entry = make_submitted_entry(round_, entrant=factories.make_entrant())
        add_file(entry)
    Round.objects.filter(pk=round_.pk).update(**closed)

    with django_assert_num_queries(len(one.captured_queries)):
        response = staff_client.get(queue_url(round_))
    assert len(response.context["entries"]) == 50


def test_one_by_one_eligible_then_the_next(staff_client, staff):
    round_ = closed_round(2, staff=staff)
    first, second = entries_of(round_)

    response = staff_client.post(
        entry_url(round_, first),
        {"decision": "eligible", "seen": "unscreened", "next": "1"},
    )

    assert response.status_code == 302
    assert response.url == entry_url(round_, second)
    first.refresh_from_db()
    assert (first.screening, first.screened_by) == (ELIGIBLE, staff)


def test_one_by_one_ineligible_without_a_reason_keeps_what_was_typed(
    staff_client, staff
):
    round_ = closed_round(1, staff=staff)
    (entry,) = entries_of(round_)

    response = staff_client.post(
        entry_url(round_, entry),
        {
            "decision": "ineligible",
            "seen": "unscreened",
            "content_warning": "on",
            "content_warning_note": "Shows <b>violence</b>.",
        },
    )

    assert response.status_code == 200
    assert "Give the reason why the entry is not eligible." in response.text
    assert "Shows &lt;b&gt;violence&lt;/b&gt;." in response.text
    entry.refresh_from_db()
    assert (entry.screening, entry.content_warning) == (UNSCREENED, False)


def test_a_reason_template_and_a_content_warning(staff_client, staff):
    round_ = closed_round(1, staff=staff)
    (entry,) = entries_of(round_)
    reason = ScreeningReason.objects.create(
        text_en="The entrant is too young for this category.",
        text_zh_hant="參賽者年齡未達此組別要求。",
    )

    staff_client.post(
        entry_url(round_, entry),
        {
            "decision": "ineligible",
            "seen": "unscreened",
            "template": reason.pk,
            "content_warning": "on",
            "content_warning_note": "Self-harm.",
        },
    )

    entry.refresh_from_db()
    assert entry.screening == INELIGIBLE
    assert entry.screening_reason_zh_hant == "參賽者年齡未達此組別要求。"
    assert (entry.content_warning, entry.content_warning_note) == (True, "Self-harm.")


def test_a_colleagues_decision_made_meanwhile_is_shown_not_overwritten(
    staff_client, staff
):
    round_ = closed_round(1, staff=staff)
    (entry,) = entries_of(round_)
    colleague = _two_factor(factories.make_staff(email="colleague@example.org"))
    set_screening(entry, INELIGIBLE, by=colleague, text="Not an original work.")

    response = staff_client.post(
        entry_url(round_, entry),
        {"decision": "eligible", "seen": "unscreened", "text": "Looks fine."},
    )

    assert response.status_code == 200
    assert (
        "was screened by colleague@example.org meanwhile: “Not eligible: Not an "
        "original work.”"
    ) in response.text
    assert "Looks fine." in response.text  # what was typed is kept
    assert response.context["form"].data["seen"] == INELIGIBLE
    entry.refresh_from_db()
    assert entry.screening == INELIGIBLE


def test_bulk_marks_the_selection_and_lists_what_it_skipped(staff_client, staff):
    round_ = closed_round(3, staff=staff)
    first, second, third = entries_of(round_)
    set_screening(second, INELIGIBLE, by=_two_factor(staff), text="Late.")

    response = staff_client.post(
        reverse("manage:screening_bulk", args=[round_.pk]),
        {
            "entries": [
                f"{first.pk}:unscreened",
                f"{second.pk}:unscreened",
                f"{third.pk}:unscreened",
            ],
            "decision": "eligible",
            "query": "screening=unscreened",
        },
    )

    assert response.status_code == 302
    assert response.url == queue_url(round_, screening="unscreened")
    messages = shown(response)
    assert messages[0] == "2 entries marked “Eligible”."
    assert second.reference in messages[1]
    assert dict(Entry.objects.values_list("pk", "screening")) == {
        first.pk: ELIGIBLE,
        second.pk: INELIGIBLE,
        third.pk: ELIGIBLE,
    }


def test_bulk_without_a_selection_or_with_a_forged_one_says_so(staff_client, staff):
    round_ = closed_round(1, staff=staff)
    bulk = reverse("manage:screening_bulk", args=[round_.pk])

    nothing = staff_client.post(bulk, {"decision": "eligible"})
    forged = staff_client.post(bulk, {"decision": "eligible", "entries": ["x:y"]})

    assert shown(nothing) == ["Select at least one entry."]
    assert shown(forged)[-1] == "The selection could not be read."


def test_screening_an_open_round_is_refused(staff_client, staff):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=factories.make_entrant())

    page = staff_client.get(queue_url(round_))
    response = staff_client.post(
        entry_url(round_, entry), {"decision": "eligible", "seen": "unscreened"}
    )

    assert "Entries are screened once the round has closed." in page.text
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.screening == UNSCREENED


def test_release_from_the_queue_then_entrants_see_the_outcome(
    staff_client, staff, django_capture_on_commit_callbacks, mailoutbox
):
    entrant_client = Client()
    round_ = closed_round(2, staff=staff)
    first, second = entries_of(round_)
    set_screening(first, ELIGIBLE, by=_two_factor(staff))
    release = reverse("manage:screening_release", args=[round_.pk])

    refused = staff_client.post(release)
    assert "1 are not." in shown(refused)[0]

    set_screening(second, INELIGIBLE, by=_two_factor(staff), text="Made in 2001.")
    entrant_client.force_login(second.entrant)
    before = entrant_client.get(reverse("my_entries"))
    assert "Made in 2001." not in before.text

    with django_capture_on_commit_callbacks(execute=True):
        released = staff_client.post(release)
    assert shown(released)[-1].startswith("The screening results were released")
    after = entrant_client.get(reverse("my_entries"))

    assert len(mailoutbox) == 2
    assert 'data-screening="ineligible"' in after.text
    assert "Made in 2001." in after.text
    round_.refresh_from_db()
    assert round_.screening_released_at is not None
    assert factories.audit_count(round_, verb=AuditVerb.SCREENING_RELEASED) == 1


def test_staff_add_and_edit_reason_templates(staff_client):
    create = reverse("manage:screening_reason_create")

    empty = staff_client.post(create, {"text_en": "", "text_zh_hant": ""})
    staff_client.post(
        create,
        {
            "text_en": "Not a new work.",
            "text_zh_hant": "並非新作品。",
            "position": 1,
            "is_active": "on",
        },
    )
    reason = ScreeningReason.objects.get()
    staff_client.post(
        reverse("manage:screening_reason_edit", args=[reason.pk]),
        {"text_en": "Not a new work.", "text_zh_hant": "並非新創作。", "position": 1},
    )

    assert empty.status_code == 200
    reason.refresh_from_db()
    assert (reason.text_zh_hant, reason.is_active) == ("並非新創作。", False)
    assert factories.audit_count(reason) == 2
    listing = staff_client.get(reverse("manage:screening_reasons"))
    assert "並非新創作。" in listing.text


def test_released_results_of_a_round_not_yet_screened_are_never_shown(client, staff):
    round_ = closed_round(1, staff=staff)
    (entry,) = entries_of(round_)
    set_screening(entry, ELIGIBLE, by=_two_factor(staff))
    client.force_login(entry.entrant)

    before = client.get(reverse("my_entries"))
    release_screening(round_, by=_two_factor(staff))
    after = client.get(reverse("my_entries"))

    assert "data-screening" not in before.text
    assert 'data-screening="eligible"' in after.text


def test_entries_whose_files_match_are_flagged_both_ways(staff_client, staff):
    round_ = closed_round(3, staff=staff)
    first, second, third = entries_of(round_)
    files = [add_file(entry) for entry in (first, second, third)]
    FileMatch.objects.create(file=files[1], other=files[0], kind=MatchKind.SAME_FILE)

    response = staff_client.get(queue_url(round_))
    flagged = response.context["entries"]
    duplicates = staff_client.get(queue_url(round_, flag="duplicate"))

    assert [entry.has_match for entry in flagged] == [True, True, False]
    assert [entry.reference for entry in duplicates.context["entries"]] == [
        first.reference,
        second.reference,
    ]
    assert response.text.count('text-bg-warning">Possible duplicate<') == 2
    assert response.text.count(f"Same file as {second.reference} (file 2)") == 1
    assert response.text.count(f"Same file as {first.reference} (file 2)") == 1
