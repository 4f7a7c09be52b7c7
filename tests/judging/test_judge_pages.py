"""The judge's pages: what they show, and the score's autosave and form post."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from judging.enums import StageMode, StageState, Visibility
from judging.models import Conflict, Score, Stage
from judging.services.scoring import save_score
from submissions.enums import DerivativeKind, MediaKind
from submissions.models import ArtworkFile, Derivative
from tests.entry_factories import add_file
from tests.judging.judge_fixtures import open_stage_for, own
from tests.judging_factories import add_to_panel, make_stage

pytestmark = pytest.mark.django_db


def post_json(client, assignment, body):
    return client.post(
        reverse("judging:score", args=[assignment.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def criteria_fields(stage, *values):
    return {
        f"criterion_{c.pk}": v
        for c, v in zip(stage.criteria.order_by("position"), values, strict=True)
    }


def test_the_pages_render(client):
    stage, _judges, mine = open_stage_for(client)
    for url in (
        reverse("judging:dashboard"),
        reverse("judging:queue", args=[stage.pk]),
        reverse("judging:entry", args=[mine[0].pk]),
        reverse("judging:conflict", args=[mine[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_dashboard_shows_progress_and_the_closing_time_in_hong_kong(client):
    stage, _judges, mine = open_stage_for(client)
    Stage.objects.filter(pk=stage.pk).update(
        closes_at=datetime.datetime(2030, 3, 1, 16, 0, tzinfo=datetime.UTC)
    )
    Score.objects.create(assignment=mine[0], version=1, saved_at=timezone.now())
    Score.objects.create(
        assignment=mine[1],
        version=1,
        saved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    Conflict.objects.create(judge=mine[2].judge, entry_id=mine[2].entry_id, reason="x")
    later = make_stage(stage.round, name_en="Final", state=StageState.SETUP)
    add_to_panel(later, mine[0].judge)

    page = client.get(reverse("judging:dashboard")).content.decode()

    assert "1 of 2 scored, 1 left." in page
    assert "1 draft not submitted yet." in page
    # 16:00 UTC is midnight in Hong Kong.
    assert "Closes on March 2, 2030, midnight (Hong Kong time)." in page
    assert "Not open yet" in page
    assert reverse("judging:queue", args=[later.pk]) not in page
    assert reverse("judging:queue", args=[stage.pk]) in page


def test_the_queue_is_in_the_judge_s_order_and_filters(client):
    stage, _judges, mine = open_stage_for(client, entries=3)
    # The judge's own order: the third entry first.
    for position, assignment in zip((2, 3, 1), mine, strict=True):
        assignment.position = position
        assignment.save(update_fields=["position"])
    Score.objects.create(
        assignment=mine[1],
        version=1,
        saved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    url = reverse("judging:queue", args=[stage.pk])

    def listed(query=""):
        page = client.get(f"{url}{query}").content.decode()
        return re.findall(r'data-assignment="(\d+)"', page)

    ids = [str(a.pk) for a in mine]
    assert listed() == [ids[2], ids[0], ids[1]]
    assert listed("?show=unscored") == [ids[2], ids[0]]
    assert listed("?show=scored") == [ids[1]]
    assert listed("?show=nonsense") == [ids[2], ids[0], ids[1]]


def test_the_entry_page_shows_the_work_and_the_neighbours(client):
    _stage, _judges, mine = open_stage_for(client, entries=3)
    Conflict.objects.create(judge=mine[1].judge, entry_id=mine[1].entry_id, reason="x")

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()
    last = client.get(reverse("judging:entry", args=[mine[2].pk])).content.decode()

    assert "1 of 2 in your order" in page
    # The conflicted work is skipped.
    assert f'href="/judging/assignments/{mine[2].pk}/" data-shortcut="j"' in page
    assert f'href="/judging/assignments/{mine[0].pk}/" data-shortcut="k"' in last
    assert 'data-shortcut="j"' not in last
    assert "Work 1" in page and "Work 1（中文）" in page
    assert 'name="criterion_' in page and 'name="comment"' in page


def test_a_content_warning_hides_the_work_until_the_judge_chooses(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    stage.round.entries.update(
        content_warning=True, content_warning_note="Depicts violence."
    )
    url = reverse("judging:entry", args=[mine[0].pk])

    hidden = client.get(url).content.decode()
    shown = client.get(f"{url}?show=work").content.decode()

    assert "Depicts violence." in hidden and "Show the work" in hidden
    assert 'id="work-files"' not in hidden
    assert 'id="work-files"' in shown and "Show the work" not in shown


def test_autosave_answers_with_the_version_and_a_replaced_flag(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    data = {**criteria_fields(stage, "7", ""), "comment": "Half typed"}

    first = post_json(client, mine[0], {"data": data, "base_version": 0})
    again = post_json(client, mine[0], {"data": data, "base_version": 0})

    assert first.status_code == 200
    assert (first.json()["version"], first.json()["replaced"]) == (1, False)
    assert first.json()["message"] == "Saved"
    assert (again.json()["version"], again.json()["replaced"]) == (2, True)
    assert again.json()["message"] == (
        "Saved. An earlier save from another window was replaced."
    )
    score = Score.objects.get()
    assert (score.comment, score.submitted_at) == ("Half typed", None)


def test_autosave_says_what_is_wrong(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    criterion = stage.criteria.order_by("position").first()

    wrong = post_json(
        client, mine[0], {"data": criteria_fields(stage, "12", "3"), "base_version": 0}
    )
    unreadable = client.post(
        reverse("judging:score", args=[mine[0].pk]),
        data="{not json",
        content_type="application/json",
    )

    assert wrong.status_code == 400
    assert wrong.json()["problems"] == {
        f"criterion_{criterion.pk}": "Give a score from 1 to 10."
    }
    assert unreadable.status_code == 400
    assert unreadable.json()["error"] == "bad_request"
    assert not Score.objects.exists()


def test_the_form_post_saves_a_draft_then_submits_and_moves_on(client):
    stage, _judges, mine = open_stage_for(client, entries=2)
    url = reverse("judging:score", args=[mine[0].pk])
    data = {**criteria_fields(stage, "7", "8"), "comment": "Fine", "base_version": 0}

    draft = client.post(url, {**data, "save": "1"}, follow=True)
    submitted = client.post(
        url, {**data, "base_version": 1, "submit": "1", "next": "1"}
    )

    assert "Draft saved." in draft.content.decode()
    assert submitted.status_code == 302
    assert submitted["Location"] == reverse("judging:entry", args=[mine[1].pk])
    score = Score.objects.get(assignment=mine[0])
    assert (score.version, score.submitted_at is not None) == (2, True)


def test_a_refused_form_post_keeps_what_was_typed(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    url = reverse("judging:score", args=[mine[0].pk])
    data = {**criteria_fields(stage, "7", ""), "comment": "Keep me", "submit": "1"}

    response = client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Keep me" in page
    assert "Score this criterion before submitting." in page
    assert "The score is not complete: see the fields marked." in page
    assert not Score.objects.exists()


def test_a_conflict_takes_the_work_off_the_list_and_goes_to_the_next(client):
    stage, _judges, mine = open_stage_for(client, entries=3)
    url = reverse("judging:conflict", args=[mine[0].pk])

    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200 and not Conflict.objects.exists()
    declared = client.post(url, {"reason": "My former student"}, follow=True)

    assert declared.redirect_chain == [
        (reverse("judging:entry", args=[mine[1].pk]), 302)
    ]
    assert "has left your list" in declared.content.decode()
    conflict = Conflict.objects.get()
    assert (conflict.entry_id, conflict.reason) == (
        mine[0].entry_id,
        "My former student",
    )
    queue = client.get(reverse("judging:queue", args=[stage.pk])).content.decode()
    assert f'data-assignment="{mine[0].pk}"' not in queue
    assert client.get(reverse("judging:entry", args=[mine[0].pk])).status_code == 404


def test_the_panel_s_scores_after_close_under_letters(client):
    stage, judges, mine = open_stage_for(
        client, entries=1, judges=3, visibility=Visibility.AFTER_CLOSE
    )
    for judge, value, comment in (
        (judges[1], "9", "Luminous"),
        (judges[2], "4", "Flat"),
    ):
        assignment = own(stage, judge)[0]
        save_score(
            assignment,
            data={
                **criteria_fields(stage, value, value),
                "comment": comment,
                "private_note": f"secret {comment}",
            },
            base_version=0,
            by=judge,
            submit=True,
        )
    url = reverse("judging:panel_scores", args=[mine[0].pk])

    before = client.get(url)
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    after = client.get(url).content.decode()

    assert before.status_code == 403
    rows = re.findall(r'<th scope="row">(Judge \w)</th>', after)
    assert rows == ["Judge B", "Judge C"]
    assert "Luminous" in after and "Flat" in after
    assert "secret" not in after


def test_the_form_follows_the_stage_s_mode(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    url = reverse("judging:entry", args=[mine[0].pk])
    first, second = stage.criteria.order_by("position")
    second.half_points = True
    second.save()

    criteria = client.get(url).content.decode()
    Stage.objects.filter(pk=stage.pk).update(mode=StageMode.VOTE)
    vote = client.get(url).content.decode()
    Stage.objects.filter(pk=stage.pk).update(mode=StageMode.RANKING, ranking_size=5)
    ranking = client.get(url).content.decode()

    # Whole points as buttons, half points as a number field with steps of 0.5.
    assert criteria.count(f'name="criterion_{first.pk}"') == 10
    assert re.search(
        rf'<input type="number" name="criterion_{second.pk}"[^>]*step="0.5"', criteria
    )
    assert "How the work speaks to the theme. Half points allowed." in criteria
    assert re.findall(r'name="vote" value="(\w+)"', vote) == ["yes", "maybe", "no"]
    assert "criterion_" not in vote
    assert re.search(r'<input type="number" name="rank"[^>]*max="5"', ranking)
    assert "Place in your ranking (1 to 5)" in ranking


def test_a_place_taken_names_the_work_that_holds_it(client):
    stage, _judges, mine = open_stage_for(
        client, entries=2, mode=StageMode.RANKING, ranking_size=3
    )
    reference = stage.round.entries.get(pk=mine[0].entry_id).reference
    assert post_json(client, mine[0], {"data": {"rank": "1"}}).status_code == 200

    answer = post_json(client, mine[1], {"data": {"rank": "1"}, "base_version": 0})

    assert answer.status_code == 400
    assert answer.json()["problems"] == {
        "rank": f"You gave place 1 to {reference} already."
    }


def test_a_saved_score_is_shown_again_in_the_form(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    first, second = stage.criteria.order_by("position")
    second.half_points = True
    second.save()
    save_score(
        mine[0],
        data={
            f"criterion_{first.pk}": "10",
            f"criterion_{second.pk}": "6.5",
            "comment": "Again",
            "private_note": "Mine",
        },
        base_version=0,
        by=mine[0].judge,
    )

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()

    assert re.search(rf'name="criterion_{first.pk}" value="10"[^>]* checked', page)
    assert re.search(rf'name="criterion_{second.pk}" value="6.5"', page)
    assert ">\nAgain</textarea>" in page and ">\nMine</textarea>" in page
    assert 'data-version="1"' in page


def test_the_queue_is_paged(client, monkeypatch):
    monkeypatch.setattr("judging.selectors.judge.PAGE_SIZE", 2)
    stage, _judges, mine = open_stage_for(client, entries=3)
    url = reverse("judging:queue", args=[stage.pk])

    first = client.get(url).content.decode()
    second = client.get(f"{url}?page=2").content.decode()
    beyond = client.get(f"{url}?page=9").content.decode()

    assert "3 works in your order. The list is paged: 2 works a page." in first
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert re.findall(r'data-assignment="(\d+)"', second) == [str(mine[2].pk)]
    assert re.findall(r'data-assignment="(\d+)"', beyond) == [str(mine[2].pk)]


def _copy(file, kind, *, index=0, extension="jpg", content_type="image/jpeg"):
    return Derivative.objects.create(
        artwork_file=file,
        kind=kind,
        index=index,
        key=Derivative.key_for(file, kind, extension, index),
        width=640 if content_type.startswith("image/") else None,
        height=480 if content_type.startswith("image/") else None,
        size=1000,
        content_type=content_type,
    )


def test_videos_recordings_and_documents_play_and_show_in_the_page(client):
    stage, _judges, mine = open_stage_for(client, entries=1)
    entry = stage.round.entries.get(pk=mine[0].entry_id)
    video = add_file(entry, kind=MediaKind.VIDEO, alt_text="A dancer by the sea.")
    audio = add_file(entry, kind=MediaKind.AUDIO, alt_text="A song in Tagalog.")
    document = add_file(entry, kind=MediaKind.DOCUMENT, alt_text="A poem.")
    _copy(video, DerivativeKind.VIDEO, extension="mp4", content_type="video/mp4")
    _copy(video, DerivativeKind.POSTER)
    _copy(audio, DerivativeKind.AUDIO, extension="m4a", content_type="audio/mp4")
    _copy(
        document,
        DerivativeKind.DOCUMENT,
        extension="pdf",
        content_type="application/pdf",
    )
    for page in (1, 2):
        _copy(
            document,
            DerivativeKind.PAGE,
            index=page,
            extension="png",
            content_type="image/png",
        )
    ArtworkFile.objects.filter(pk=document.pk).update(page_count=2)

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()

    assert re.search(
        r'<video class="judge-media rounded" controls preload="metadata" '
        r'poster="http[^"]+-1-poster\.jpg[^"]*" aria-label="A dancer by the sea\."',
        page,
    )
    assert re.search(r'<source src="http[^"]+-1\.mp4[^"]*" type="video/mp4">', page)
    assert re.search(
        r'<audio class="w-100" controls preload="metadata" '
        r'aria-label="A song in Tagalog\."><source src="http[^"]+-2\.m4a',
        page,
    )
    assert re.findall(r'alt="(Page \d of 2: A poem\.)"', page) == [
        "Page 1 of 2: A poem.",
        "Page 2 of 2: A poem.",
    ]
    assert "Download the document" in page
