"""The round dashboard for staff: entries by category, state and screening,
submissions per Hong Kong day and hour, drafts near the deadline, files processing
could not finish, storage by kind; who may see it; and its queries, which do not
grow with the number of entries."""

import datetime
import re

import pytest
from django.urls import reverse

from artsprize.common.models import AuditEvent
from submissions.enums import DerivativeKind, EntryState, FileState
from submissions.selectors.dashboard import (
    Point,
    entries_by_category,
    storage_of_copies,
    storage_of_originals,
    submissions_by_day,
    submissions_by_hour,
)
from submissions.views.dashboard import (
    HOUR_STEPS,
    PLOT_BOTTOM,
    PLOT_RIGHT,
    PLOT_TOP,
    bar_chart,
)
from tests import factories
from tests.dashboard_fixtures import (
    CLOSES,
    IN_RUSH,
    copy,
    entry,
    file,
    make_round,
    seed_round,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(mfa_client, staff_user):
    return mfa_client(staff_user)


def url(round_):
    return reverse("manage:round_dashboard", args=[round_.pk])


@pytest.fixture
def seeded():
    return seed_round()


COLUMNS = (
    "draft",
    "submitted",
    "withdrawn",
    "total",
    "unscreened",
    "eligible",
    "ineligible",
    "drafts_changed",
    "drafts_with_files",
)


def _counts(counts):
    return tuple(counts[column] for column in COLUMNS)


def test_entries_are_counted_by_category_state_and_screening(seeded):
    rows, totals = entries_by_category(seeded["round"])

    assert [row.category for row in rows] == list(seeded["categories"])
    assert [_counts(row.counts) for row in rows] == [
        (3, 3, 1, 7, 1, 1, 1, 2, 2),
        (1, 1, 1, 3, 0, 1, 0, 1, 0),
        (0, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    assert _counts(totals) == (4, 4, 2, 10, 1, 2, 1, 3, 2)


def test_submissions_are_counted_per_hong_kong_day(seeded):
    days = submissions_by_day(seeded["round"], now=CLOSES)

    assert [(point.start.isoformat(), point.count) for point in days] == [
        ("2026-03-01", 0),
        ("2026-03-02", 1),
        # The submission at 23:30 UTC on 2 March counts on 3 March.
        ("2026-03-03", 2),
        ("2026-03-04", 0),
        ("2026-03-05", 2),
    ]


def test_submissions_are_counted_per_hour_for_the_last_48_hours(seeded):
    hours = submissions_by_hour(seeded["round"])

    assert len(hours) == 48
    assert hours[0].start.isoformat() == "2026-03-03T12:00:00+08:00"
    assert hours[-1].start.isoformat() == "2026-03-05T11:00:00+08:00"
    assert [
        (point.start.strftime("%d %H"), point.count) for point in hours if point.count
    ] == [
        ("03 12", 1),
        ("05 11", 2),
    ]
    assert sum(point.count for point in hours) == 3


def test_a_deadline_within_an_hour_ends_the_last_hour_of_the_chart():
    round_, adult, *_ = make_round(closes_at=CLOSES + datetime.timedelta(minutes=59))
    entry(
        round_,
        adult,
        factories.make_entrant(),
        state=EntryState.SUBMITTED,
        submitted_at=CLOSES + datetime.timedelta(minutes=58),
    )

    hours = submissions_by_hour(round_)

    assert len(hours) == 48
    assert hours[-1].start.isoformat() == "2026-03-05T12:00:00+08:00"
    assert hours[-1].count == 1


def test_a_round_without_dates_has_no_charts():
    round_, *_ = make_round(opens_at=None, closes_at=None)

    assert submissions_by_day(round_, now=CLOSES) == []
    assert submissions_by_hour(round_) == []
    _rows, totals = entries_by_category(round_)
    assert "drafts_changed" not in totals


def test_storage_is_summed_by_kind_of_original_and_of_copy(seeded):
    originals, total = storage_of_originals(seeded["round"])
    copies, copies_total = storage_of_copies(seeded["round"])

    assert [(row.kind, row.files, row.bytes) for row in originals] == [
        ("image", 3, 6000),
        ("video", 1, 10_000_000),
        ("document", 1, 5_000_000),
    ]
    assert total == {"files": 5, "bytes": 15_006_000}
    assert [(row.kind, row.files, row.bytes) for row in copies] == [
        ("thumb", 1, 100),
        ("preview", 1, 300),
        ("page", 2, 450),
        ("document", 1, 4_000_000),
    ]
    assert copies_total == {"files": 5, "bytes": 4_000_850}


def _cells(html, table_id):
    """The text of each row of a table of the page, cell by cell."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_the_page_shows_the_numbers_of_the_round(staff_client, seeded):
    response = staff_client.get(url(seeded["round"]))

    assert response.status_code == 200
    assert response.templates[0].name == "submissions/manage/dashboard.html"
    html = response.text
    assert _cells(html, "entries-by-state") == [
        ["Category", "Drafts", "Submitted", "Withdrawn", "Total"],
        ["Adult — community", "3", "3", "1", "7"],
        ["Youth", "1", "1", "1", "3"],
        ["Poetry", "0", "0", "0", "0"],
        ["All categories", "4", "4", "2", "10"],
    ]
    assert _cells(html, "entries-by-screening")[1:] == [
        ["Adult — community", "1", "1", "1", "3"],
        ["Youth", "0", "1", "0", "1"],
        ["Poetry", "0", "0", "0", "0"],
        ["All categories", "1", "2", "1", "4"],
    ]
    assert (
        "Changed: the draft was saved or given a file between March 3, 2026, noon "
        "and March 5, 2026, noon, Hong Kong time." in html
    )
    assert _cells(html, "drafts-table")[1:] == [
        ["Adult — community", "3", "2", "2"],
        ["Youth", "1", "1", "0"],
        ["Poetry", "0", "0", "0"],
        ["All categories", "4", "3", "2"],
    ]
    assert _cells(html, "chart-days-table")[1:] == [
        ["March 1", "0"],
        ["March 2", "1"],
        ["March 3", "2"],
        ["March 4", "0"],
        ["March 5", "2"],
        ["Total", "5"],
    ]
    hours = _cells(html, "chart-hours-table")
    assert len(hours) == 1 + 48 + 1
    assert hours[1] == ["March 3, 12:00–13:00", "1"]
    assert hours[-2] == ["March 5, 11:00–12:00", "2"]
    assert hours[-1] == ["Total", "3"]
    assert _cells(html, "storage-originals")[1:] == [
        ["Image", "3", "5.9\xa0KB"],
        ["Video", "1", "9.5\xa0MB"],
        ["Document (PDF)", "1", "4.8\xa0MB"],
        ["Total", "5", "14.3\xa0MB"],
    ]
    assert _cells(html, "storage-copies")[-1] == ["Total", "5", "3.8\xa0MB"]
    # The charts: a bar per day with submissions, named for screen readers.
    assert 'role="img" aria-labelledby="chart-days-title chart-days-desc"' in html
    assert '<title id="chart-days-title">Submissions per day</title>' in html
    assert html.count('data-count="2"') == 3
    assert (
        '<desc id="chart-hours-desc">3 submissions in all; at most 2 in one bar.</desc>'
        in html
    )


def test_failed_files_are_listed_with_a_retry_and_rejected_ones_without(
    staff_client, seeded
):
    response = staff_client.get(url(seeded["round"]))

    html = response.text
    assert '<strong id="failed-count">1</strong>' in html
    assert '<strong id="rejected-count">1</strong>' in html
    assert "other.jpg" not in html
    failures = re.search(
        r'<ul class="list-unstyled" id="failures">.*?</ul>', html, re.S
    )
    items = re.findall(r"<li.*?</li>", failures.group(0), re.S)
    assert [re.search(r'dir="auto">([^<]+)<', item).group(1) for item in items] == [
        "failed.jpg",
        "refused.mov",
    ]
    retry = reverse("manage:processing_retry", args=[seeded["failed"].pk])
    assert f'action="{retry}"' in items[0]
    entry_page = reverse("manage:entry_detail", args=[seeded["failed"].entry_id])
    assert f'<a href="{entry_page}">T-' in items[0]
    assert "manage:processing_retry" not in items[1] and "<form" not in items[1]


def test_retry_from_the_dashboard_queues_the_file_and_comes_back(staff_client, seeded):
    failed = seeded["failed"]
    back = url(seeded["round"]) + "#failures-heading"

    response = staff_client.post(
        reverse("manage:processing_retry", args=[failed.pk]), {"next": back}
    )

    assert response.status_code == 302
    assert response.url == back
    assert AuditEvent.objects.for_object(failed).get().reason == "processing_retried"


@pytest.mark.parametrize("page", ["https://evil.example/", "//evil.example/", ""])
def test_retry_goes_to_the_processing_page_unless_sent_back_to_this_site(
    staff_client, seeded, page
):
    response = staff_client.post(
        reverse("manage:processing_retry", args=[seeded["failed"].pk]), {"next": page}
    )

    assert response.url == reverse("manage:processing")


def test_the_round_page_links_to_the_dashboard(staff_client, seeded):
    round_ = seeded["round"]

    response = staff_client.get(reverse("manage:round_detail", args=[round_.pk]))

    assert f'href="{url(round_)}">Dashboard</a>' in response.text


def test_an_empty_round_shows_zeros_and_no_bars(staff_client):
    round_, *_ = make_round()

    response = staff_client.get(url(round_))

    html = response.text
    assert _cells(html, "entries-by-state")[-1] == [
        "All categories",
        "0",
        "0",
        "0",
        "0",
    ]
    assert "<rect" not in html
    assert "No failed or rejected files in this round." in html
    assert _cells(html, "storage-originals")[1:] == [
        ["No files yet."],
        ["Total", "0", "0\xa0bytes"],
    ]


def test_an_unknown_round_is_not_found(staff_client):
    assert staff_client.get("/manage/rounds/999999/dashboard/").status_code == 404


# Who may see it -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    round_, *_ = make_round()

    response = client.get(url(round_))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url(round_)}"


@pytest.mark.parametrize("role", ["entrant", "caseworker", "judge"])
def test_other_roles_are_refused(client, mfa_client, role):
    round_, *_ = make_round()
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "caseworker":
        client.force_login(factories.make_caseworker())
    else:
        mfa_client(factories.make_judge())

    response = client.get(url(round_))

    assert response.status_code == 403
    assert response.templates[0].name == "common/error.html"


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client):
    round_, *_ = make_round()
    client.force_login(factories.make_staff())

    response = client.get(url(round_))

    assert response.status_code == 302
    assert response.url == (
        f"{reverse('mfa_activate_totp')}?next=%2Fmanage%2Frounds%2F{round_.pk}"
        "%2Fdashboard%2F"
    )


# Queries ---------------------------------------------------------------------------

# The session's user, whether they have an authenticator, the round, the person's
# roles; the entries by category, the categories, the entries in all; the failed
# and rejected files; the originals by kind and in all, the copies by kind and in
# all; submissions per day and per hour; the failed and rejected files counted;
# the user's and their groups' permissions, which the menu asks; judging's
# section, the round's stages with their progress
# (tests/judging/test_round_dashboard_progress.py adds stages).
DASHBOARD_QUERIES = 18


@pytest.mark.parametrize("entries", [1, 50])
def test_the_queries_do_not_grow_with_the_entries(
    staff_client, django_assert_num_queries, entries
):
    round_, adult, youth, _ = make_round()
    entrant = factories.make_entrant()
    for number in range(entries):
        made = entry(
            round_,
            (adult, youth)[number % 2],
            entrant,
            state=(EntryState.DRAFT, EntryState.SUBMITTED)[number % 2],
            submitted_at=CLOSES - datetime.timedelta(hours=number)
            if number % 2
            else None,
            updated_at=IN_RUSH,
        )
        stored = file(
            made,
            state=(FileState.READY, FileState.FAILED, FileState.REJECTED)[number % 3],
            reason="storage_unavailable",
        )
        copy(stored, DerivativeKind.THUMB, 10)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = staff_client.get(url(round_))

    assert response.status_code == 200
    assert response.context["totals"]["total"] == entries
    assert len(response.context["failures"]) == (entries + 1) // 3 + (entries) // 3


# Charts ----------------------------------------------------------------------------


def test_a_chart_scales_its_bars_and_labels_every_few_hours():
    start = CLOSES - datetime.timedelta(hours=48)
    points = [Point(start + datetime.timedelta(hours=n), n % 5) for n in range(48)]

    chart = bar_chart(
        points,
        label=lambda point: point.start.isoformat(),
        tick=lambda point: f"{point.start.hour:02d}",
        steps=HOUR_STEPS,
        place=lambda point: point.start.hour,
    )

    assert (chart.maximum, chart.total) == (4, sum(n % 5 for n in range(48)))
    tallest = [bar for bar in chart.bars if bar.count == 4]
    assert {(bar.y, bar.height) for bar in tallest} == {
        (PLOT_TOP, PLOT_BOTTOM - PLOT_TOP)
    }
    assert {bar.height for bar in chart.bars if bar.count == 0} == {0}
    # 48 bars in 416 units leave 8.67 units a bar: a label every 12 hours, at
    # midnight and noon UTC (the points' own time zone).
    assert [bar.tick for bar in chart.bars if bar.tick] == ["12", "00", "12", "00"]
    assert chart.bars[-1].x + chart.bars[-1].width <= PLOT_RIGHT


def test_a_chart_of_nothing_is_none():
    assert bar_chart([], label=str, tick=str, steps=HOUR_STEPS) is None
