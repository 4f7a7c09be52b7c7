"""Staff exports of a stage's results: every submitted score (judges by their
letter, conflicted scores marked, each score's z-score as aggregation
normalises it, never a private note or an e-mail address) and each category's
ranking as the results page reads it, as CSV (streamed) and XLSX, read back
for a hand-computed criteria stage, a vote and a ranking stage; formulas kept
plain, Chinese intact, staff only, audited, in a fixed number of queries."""

# The results pages' fixtures are used here as pytest passes them, by name.
# ruff: noqa: F811

import math
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from judging.enums import StageMode, Vote
from judging.models import Score
from judging.selectors import exports as export_rows
from judging.selectors.aggregation import aggregate_criteria
from submissions.models import Entry
from tests import factories
from tests.judging.test_results_views import (  # noqa: F401 (the fixtures)
    hand,
    score,
    scored_stage,
    staff,
    staff_client,
)
from tests.judging_factories import (
    add_to_panel,
    assign_everyone,
    make_judging_round,
    make_stage,
)
from tests.submissions.test_exports import body, read_csv, read_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")
SQRT2, SQRT3 = math.sqrt(2), math.sqrt(3)

CRITERIA_SCORE_HEADINGS = [
    "Reference code",
    "Category",
    "Judge",
    "Conflict: does not count",
    "Originality",
    "Craft",
    "Total",
    "Judge's z-score (normalised)",
    "Comment for the panel",
    "Submitted at (Hong Kong time)",
]
CRITERIA_RANKING_HEADINGS = [
    "Category",
    "Rank",
    "Tied",
    "Reference code",
    "Title",
    "Scores",
    "Judges who count",
    "Coverage (scores / judges who count)",
    "Raw mean",
    "Spread",
    "Disagreement",
    "Normalised (mean z-score)",
    "Calibrated",
    "Uncertainty (standard error)",
]


def export_url(stage, kind, file_format, **query):
    url = reverse("manage:stage_export", args=[stage.pk, kind, file_format])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def csv_rows(response):
    assert response.streaming
    return read_csv(body(response))


def xlsx_rows(response, width):
    rows, formulas = read_xlsx(body(response), width)
    assert not formulas
    return rows


def same(rows, expected):
    """``rows`` as read back (text in CSV; numbers in XLSX) against ``expected``
    (floats to within rounding; None is an empty cell)."""
    assert len(rows) == len(expected)
    for got, wanted in zip(rows, expected, strict=True):
        assert len(got) == len(wanted), (got, wanted)
        for cell, value in zip(got, wanted, strict=True):
            if isinstance(value, float):
                assert float(cell) == pytest.approx(value), (got, wanted)
            elif value is None:
                assert cell in ("", None), (got, wanted)
            elif isinstance(cell, str):
                assert cell == str(value), (got, wanted)
            else:
                assert cell == value, (got, wanted)


def exported_events(stage):
    return list(
        AuditEvent.objects.for_object(stage)
        .filter(verb=AuditVerb.EXPORTED)
        .order_by("id")
        .values_list("actor_repr", "data")
    )


def submitted(stage, judge, work):
    moment = Score.objects.get(
        assignment__stage=stage, assignment__judge=judge, assignment__entry=work
    ).submitted_at
    return moment.astimezone(HONG_KONG).isoformat(timespec="seconds")


def hand_scores(hand):
    """The scores export of the hand-made stage, by entry and judge letter:
    A gives 9, 5, 5, 1 (mean 5, deviation 2√2: z-scores √2, 0, 0, −√2); B
    gives 7, 7, 7, 5 (mean 6.5, deviation √3/2: z 1/√3 thrice, then −√3); C's
    10 is their only counted score (z 0) and their 2 for work 1 is
    conflicted: it does not count, so it has no z-score. Each criterion's
    value is the total (the builder's)."""
    stage, (a, b, c), (one, two, three, four) = hand
    category = stage.categories.get().name_en
    script = "<script>alert(1)</script>"

    def row(work, label, judge, total, z, comment, conflicted="no"):
        return [
            work.reference,
            category,
            label,
            conflicted,
            float(total),
            float(total),
            float(total),
            z,
            comment,
            submitted(stage, judge, work),
        ]

    return [
        row(one, "A", a, 9, SQRT2, f"A on {one.pk}"),
        row(one, "B", b, 7, 1 / SQRT3, script),
        row(one, "C", c, 2, None, "Conflicted view", conflicted="yes"),
        row(two, "A", a, 5, 0.0, f"A on {two.pk}"),
        row(two, "B", b, 7, 1 / SQRT3, script),
        row(three, "A", a, 5, 0.0, f"A on {three.pk}"),
        row(three, "B", b, 7, 1 / SQRT3, script),
        row(four, "A", a, 1, -SQRT2, f"A on {four.pk}"),
        row(four, "B", b, 5, -SQRT3, script),
        row(four, "C", c, 10, 0.0, None),
    ]


# Scores -----------------------------------------------------------------------


def test_the_scores_csv_of_the_hand_computed_stage(staff_client, hand, staff):
    stage, _judges, _works = hand

    response = staff_client.get(export_url(stage, "scores", "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="HRAP-{stage.round.year}-stage-{stage.pk}-scores.csv"'
    )
    assert response["Cache-Control"] == "no-store, private"
    rows = csv_rows(response)
    assert rows[0] == CRITERIA_SCORE_HEADINGS
    same(rows[1:], hand_scores(hand))
    assert exported_events(stage) == [(staff.email, _event("scores", "csv", 10))]


def _event(kind, file_format, rows, **more):
    return {"kind": kind, "format": file_format, **more, "rows": rows}


def test_the_scores_xlsx_has_the_same_rows(staff_client, hand):
    stage, _judges, _works = hand

    response = staff_client.get(export_url(stage, "scores", "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="HRAP-{stage.round.year}-stage-{stage.pk}-scores.xlsx"'
    )
    assert response["Cache-Control"] == "no-store, private"
    rows = xlsx_rows(response, len(CRITERIA_SCORE_HEADINGS))
    assert rows[0] == CRITERIA_SCORE_HEADINGS
    same(rows[1:], hand_scores(hand))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_no_private_note_and_no_judges_address_is_exported(
    staff_client, hand, file_format
):
    stage, judges, _works = hand
    for kind in ("scores", "rankings"):
        response = staff_client.get(export_url(stage, kind, file_format))
        content = body(response)
        if file_format == "csv":
            cells = [cell for row in read_csv(content) for cell in row]
        else:
            rows, _formulas = read_xlsx(content, 20)
            cells = [cell for row in rows for cell in row if cell is not None]
        text = "\n".join(str(cell) for cell in cells)
        assert "SECRET-NOTE-OF-B" not in text
        for judge in judges:
            assert judge.email not in text
            assert judge.email.encode() not in content


def test_a_judge_who_left_the_panel_keeps_a_letter(staff_client, hand):
    stage, (_a, _b, c), _works = hand
    stage.panel.filter(judge=c).delete()

    rows = csv_rows(staff_client.get(export_url(stage, "scores", "csv")))

    letters = ["A", "B", "C", "A", "B", "A", "B", "A", "B", "C"]
    assert [row[2] for row in rows[1:]] == letters


# Rankings -----------------------------------------------------------------------


def hand_ranking_by_raw_mean(hand):
    """Raw means 8, 6, 6, 16/3 (works 2 and 3 tied second, listed by ID);
    C's scores count for work 4 only (works 2 and 3 left unscored, work 1
    conflicted, so not among its judges who count); spreads √2, √2, √2 and that of 1, 5, 10 (√(61/3), above the page's
    default threshold of 2); normalised: the mean of each work's z-scores."""
    stage, _judges, (one, two, three, four) = hand
    (calibrated,) = aggregate_criteria(stage, by="raw").values()
    by_entry = {row.entry_id: row for row in calibrated}
    category = stage.categories.get().name_en

    def row(work, rank, tied, counts, mean, spread, disagreement, normalised):
        other = by_entry[work.pk]
        count, assigned = counts
        return [
            category,
            rank,
            tied,
            work.reference,
            work.title_en,
            count,
            assigned,
            count / assigned,
            mean,
            spread,
            disagreement,
            normalised,
            other.calibrated,
            other.uncertainty,
        ]

    return [
        row(one, 1, "no", (2, 2), 8.0, SQRT2, "no", (SQRT2 + 1 / SQRT3) / 2),
        row(two, 2, "yes", (2, 3), 6.0, SQRT2, "no", (1 / SQRT3) / 2),
        row(three, 2, "yes", (2, 3), 6.0, SQRT2, "no", (1 / SQRT3) / 2),
        row(
            four,
            4,
            "no",
            (3, 3),
            16 / 3,
            math.sqrt(61 / 3),
            "yes",
            -(SQRT2 + SQRT3) / 3,
        ),
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_ranking_by_raw_mean_of_the_hand_computed_stage(
    staff_client, hand, file_format
):
    stage, _judges, _works = hand

    response = staff_client.get(export_url(stage, "rankings", file_format, by="raw"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename="
        f'"HRAP-{stage.round.year}-stage-{stage.pk}-rankings-raw.{file_format}"'
    )
    if file_format == "csv":
        rows = csv_rows(response)
    else:
        rows = xlsx_rows(response, len(CRITERIA_RANKING_HEADINGS))
    assert rows[0] == CRITERIA_RANKING_HEADINGS
    same(rows[1:], hand_ranking_by_raw_mean(hand))
    assert exported_events(stage)[0][1] == _event(
        "rankings", file_format, 4, by="raw", above=2.0
    )


@pytest.mark.parametrize("by", ["raw", "normalised", "calibrated"])
def test_the_ranking_is_the_results_pages(staff_client, hand, by):
    stage, _judges, _works = hand
    page = staff_client.get(
        reverse("manage:stage_results", args=[stage.pk]) + f"?by={by}&above=1.2"
    )

    rows = csv_rows(
        staff_client.get(export_url(stage, "rankings", "csv", by=by, above="1.2"))
    )

    shown = [
        (item.reference, item.row.rank, item.row.tied) for item in page.context["rows"]
    ]
    assert [(row[3], int(row[1]), row[2] == "yes") for row in rows[1:]] == shown
    assert [row[10] for row in rows[1:]] == [
        "yes" if item.row.disagreement else "no" for item in page.context["rows"]
    ]
    assert [float(row[12]) for row in rows[1:]] == pytest.approx(
        [item.row.calibrated for item in page.context["rows"]]
    )


def test_the_ranking_is_calibrated_by_default_and_a_bad_measure_falls_back(
    staff_client, hand
):
    stage, _judges, _works = hand

    default = staff_client.get(export_url(stage, "rankings", "csv"))
    odd = staff_client.get(export_url(stage, "rankings", "csv", by="nonsense"))

    assert default["Content-Disposition"].endswith('-rankings-calibrated.csv"')
    assert csv_rows(default) == csv_rows(odd)
    (expected,) = aggregate_criteria(stage, disagreement_above=2.0).values()
    rows = csv_rows(staff_client.get(export_url(stage, "rankings", "csv")))
    assert [int(row[1]) for row in rows[1:]] == [row.rank for row in expected]


# Vote and ranking stages --------------------------------------------------------


def vote_stage():
    round_ = make_judging_round(entries=2)
    stage = make_stage(round_, mode=StageMode.VOTE, criteria=0)
    a, b = factories.make_judge(), factories.make_judge()
    add_to_panel(stage, a, b)
    assign_everyone(stage, [a, b])
    one, two = Entry.objects.filter(round=round_).order_by("id")
    score(stage, a, one, vote=Vote.YES, comment="Strong.")
    score(stage, b, one, vote=Vote.MAYBE)
    score(stage, a, two, vote=Vote.NO)
    return stage, (a, b), (one, two)


def test_a_vote_stages_exports(staff_client):
    stage, (a, b), (one, two) = vote_stage()
    category = stage.categories.get().name_en

    scores = csv_rows(staff_client.get(export_url(stage, "scores", "csv")))
    ranking = xlsx_rows(staff_client.get(export_url(stage, "rankings", "xlsx")), 9)

    assert scores == [
        [
            "Reference code",
            "Category",
            "Judge",
            "Conflict: does not count",
            "Vote",
            "Comment for the panel",
            "Submitted at (Hong Kong time)",
        ],
        [
            one.reference,
            category,
            "A",
            "no",
            "Yes",
            "Strong.",
            submitted(stage, a, one),
        ],
        [one.reference, category, "B", "no", "Maybe", "", submitted(stage, b, one)],
        [two.reference, category, "A", "no", "No", "", submitted(stage, a, two)],
    ]
    assert ranking == [
        [
            "Category",
            "Rank",
            "Tied",
            "Reference code",
            "Title",
            "Yes",
            "Maybe",
            "No",
            "Judges who count",
        ],
        [category, 1, "no", one.reference, one.title_en, 1, 1, 0, 2],
        [category, 2, "no", two.reference, two.title_en, 0, 0, 1, 2],
    ]
    # The measure chosen means nothing here: no such part in the name.
    response = staff_client.get(export_url(stage, "rankings", "csv", by="raw"))
    assert response["Content-Disposition"].endswith(f'-stage-{stage.pk}-rankings.csv"')


def test_a_ranking_stages_exports(staff_client):
    round_ = make_judging_round(entries=3)
    stage = make_stage(round_, mode=StageMode.RANKING, criteria=0, ranking_size=2)
    a = factories.make_judge()
    add_to_panel(stage, a)
    assign_everyone(stage, [a])
    one, two, three = Entry.objects.filter(round=round_).order_by("id")
    score(stage, a, one, rank=2)
    score(stage, a, two, rank=1)
    score(stage, a, three)
    category = stage.categories.get().name_en

    scores = csv_rows(staff_client.get(export_url(stage, "scores", "csv")))
    ranking = csv_rows(staff_client.get(export_url(stage, "rankings", "csv")))

    assert scores[0][4] == "Place"
    assert [row[:5] for row in scores[1:]] == [
        [one.reference, category, "A", "no", "2"],
        [two.reference, category, "A", "no", "1"],
        [three.reference, category, "A", "no", ""],
    ]
    # Borda: three works seen, two placed: 2 and 1 points, the third 0.
    assert ranking == [
        [
            "Category",
            "Rank",
            "Tied",
            "Reference code",
            "Title",
            "Borda points",
            "Judges who saw it",
            "Judges who placed it",
        ],
        [category, "1", "no", two.reference, two.title_en, "2.0", "1", "1"],
        [category, "2", "no", one.reference, one.title_en, "1.0", "1", "1"],
        [category, "3", "no", three.reference, three.title_en, "0.0", "1", "0"],
    ]


def test_an_entry_without_a_score_has_no_rank(staff_client):
    stage, _judges, (_one, two) = vote_stage()
    Score.objects.filter(assignment__entry=two).delete()

    rows = csv_rows(staff_client.get(export_url(stage, "rankings", "csv")))

    assert [row[1:4] for row in rows[1:]] == [
        ["1", "no", _one.reference],
        ["", "no", two.reference],
    ]


# Text -------------------------------------------------------------------------


def test_a_comment_a_spreadsheet_would_run_is_kept_plain(staff_client, hand):
    stage, (a, _b, _c), (one, *_rest) = hand
    formula = '=HYPERLINK("http://example.com","x")'
    Score.objects.filter(assignment__judge=a, assignment__entry=one).update(
        comment=formula
    )

    as_csv = csv_rows(staff_client.get(export_url(stage, "scores", "csv")))
    as_sheet = xlsx_rows(
        staff_client.get(export_url(stage, "scores", "xlsx")),
        len(CRITERIA_SCORE_HEADINGS),
    )

    assert as_csv[1][8] == "'" + formula
    assert as_sheet[1][8] == formula  # text, not a formula (read_xlsx says)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_chinese_headings_and_text_round_trip(staff_client, hand, file_format):
    stage, (a, _b, _c), (one, *_rest) = hand
    Score.objects.filter(assignment__judge=a, assignment__entry=one).update(
        comment="構圖大膽，色彩動人。"
    )
    headers = {"accept-language": "zh-hant"}

    scores = staff_client.get(export_url(stage, "scores", file_format), headers=headers)
    ranking = staff_client.get(
        export_url(stage, "rankings", file_format, by="raw"), headers=headers
    )

    if file_format == "csv":
        scores, ranking = csv_rows(scores), csv_rows(ranking)
    else:
        scores = xlsx_rows(scores, len(CRITERIA_SCORE_HEADINGS))
        ranking = xlsx_rows(ranking, len(CRITERIA_RANKING_HEADINGS))
    assert scores[0][:6] == [
        "參考編號",
        "組別",
        "評審",
        "利益衝突：不計算",
        "原創性",
        "技巧",
    ]
    category = stage.categories.get().name_zh_hant
    assert scores[1][1] == category
    assert scores[1][3] == "否"
    assert scores[1][8] == "構圖大膽，色彩動人。"
    assert scores[3][3] == "是"  # C's conflicted score
    assert ranking[0][:2] == ["組別", "名次"]
    assert ranking[0][3:6] == ["參考編號", "標題", "評分數目"]
    assert ranking[1][0] == category
    assert ranking[1][4] == one.title_zh_hant


# Who may ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["scores", "rankings"])
@pytest.mark.parametrize("role", ["anonymous", "entrant", "judge"])
def test_only_staff_export(client, mfa_client, hand, role, kind):
    stage, (a, _b, _c), _works = hand
    url = export_url(stage, kind, "csv")
    if role == "entrant":
        client.force_login(factories.make_entrant())
    elif role == "judge":
        mfa_client(a)

    response = client.get(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url == f"{reverse('account_login')}?next={url}"
    else:
        assert response.status_code == 403
    assert exported_events(stage) == []


def test_staff_without_a_second_factor_are_sent_to_it(client, hand, staff):
    stage, _judges, _works = hand
    client.force_login(staff)

    response = client.get(export_url(stage, "scores", "xlsx"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert exported_events(stage) == []


def test_the_export_is_audited_with_who_took_it(staff_client, hand, staff):
    stage, _judges, _works = hand

    staff_client.get(export_url(stage, "scores", "xlsx"))
    staff_client.get(export_url(stage, "rankings", "csv", by="normalised", above="1.5"))

    assert exported_events(stage) == [
        (staff.email, _event("scores", "xlsx", 10)),
        (staff.email, _event("rankings", "csv", 4, by="normalised", above=1.5)),
    ]


def test_the_results_page_links_to_the_exports(staff_client, hand):
    stage, _judges, _works = hand

    response = staff_client.get(
        reverse("manage:stage_results", args=[stage.pk]) + "?by=raw&above=1.5"
    )

    content = response.content.decode()
    assert 'id="result-exports"' in content
    for file_format in ("csv", "xlsx"):
        assert f'href="{export_url(stage, "scores", file_format)}"' in content
        rankings = export_url(stage, "rankings", file_format)
        assert f'href="{rankings}?by=raw&amp;above=1.5"' in content


# Streaming and queries ----------------------------------------------------------


def test_the_scores_csv_streams_a_chunk_at_a_time(staff_client, hand, monkeypatch):
    """Each chunk reads its rows from the cursor, then its criteria's values
    and its entries' reference codes (the blind face: entries, files,
    copies): the same queries for every chunk."""
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 4)
    stage, _judges, _works = hand
    response = staff_client.get(export_url(stage, "scores", "csv"))
    pieces = iter(response.streaming_content)

    counts = []
    sizes = []
    while True:
        with CaptureQueriesContext(connection) as queries:
            try:
                piece = next(pieces)
            except StopIteration:
                break
        counts.append(len(queries))
        sizes.append(len(piece.decode("utf-8-sig").splitlines()))

    assert sizes == [5, 4, 2]  # the headings and 4 scores, 4, then 2
    # The first chunk opens the cursor (one query); every chunk then reads
    # its criteria's values and its entries, files and copies.
    assert counts == [5, 4, 4]


def test_the_rankings_export_reads_a_fixed_number_of_queries(staff_client):
    small, large = scored_stage(1), scored_stage(50)
    for stage in (small, large):  # once each: the session, the cache
        body(staff_client.get(export_url(stage, "rankings", "csv")))

    def queries(stage, file_format):
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.get(export_url(stage, "rankings", file_format))
            rows = body(response)
        assert rows
        return len(captured)

    assert queries(small, "csv") == queries(large, "csv")
    assert queries(small, "xlsx") == queries(large, "xlsx")


def test_the_scores_export_reads_a_fixed_number_of_queries(staff_client):
    small, large = scored_stage(1), scored_stage(50)
    for stage in (small, large):
        body(staff_client.get(export_url(stage, "scores", "csv")))

    def queries(stage):
        with CaptureQueriesContext(connection) as captured:
            assert body(staff_client.get(export_url(stage, "scores", "xlsx")))
        return len(captured)

    assert queries(small) == queries(large)


def test_the_scores_decimal_values_are_numbers(staff_client, hand):
    stage, (a, _b, _c), (one, *_rest) = hand
    Score.objects.filter(assignment__judge=a, assignment__entry=one).update(
        total=Decimal("8.667")
    )

    rows = xlsx_rows(
        staff_client.get(export_url(stage, "scores", "xlsx")),
        len(CRITERIA_SCORE_HEADINGS),
    )

    assert rows[1][6] == 8.667
