"""Nothing a judge gets names the artist: every judge page of an entry full of
its entrant's identity, every JSON answer, and every file those pages point to
(fetched over HTTP from the store, headers and bytes) are searched for the
entrant's names, addresses, team, guardian, original file name and the camera
and place the photo's metadata held."""

import html
import json
import re
from urllib.parse import unquote

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from judging.enums import StageMode, StageState, Visibility
from judging.models import Assignment, Criterion, PanelMember, Score, Stage, StageEntry
from judging.services.scoring import save_score
from submissions.enums import RoundState
from submissions.models import ArtworkFile, Entry
from tests import factories
from tests.blind_fixtures import DEVICE_WORDS, IDENTITY, make_identified_entry
from tests.judging.judge_fixtures import judge_client

pytestmark = pytest.mark.django_db

GPS = "43.468244"
# Where a page points to a copy: images, posters, sources and links.
URL_ATTRIBUTE = re.compile(r'(?:src|href|poster)="(http[^"]+)"')


def secrets_of(entry):
    file = ArtworkFile.objects.get(entry=entry)
    return [
        *IDENTITY.values(),
        *DEVICE_WORDS,
        GPS,
        "GPS",
        file.sha256,
        file.key,
        "originals/",
    ]


def found_in(text, secrets):
    readable = unquote(html.unescape(text)).lower()
    return [secret for secret in secrets if secret.lower() in readable]


def judging_stage(entry, judges):
    now = timezone.now()
    stage = Stage.objects.create(
        round=entry.round,
        name_en="First round",
        name_zh_hant="初選",
        mode=StageMode.CRITERIA,
        visibility=Visibility.AFTER_CLOSE,
        state=StageState.OPEN,
        opens_at=now - timezone.timedelta(hours=1),
        closes_at=now + timezone.timedelta(days=7),
    )
    stage.categories.set([entry.category])
    Criterion.objects.create(stage=stage, name_en="Originality", name_zh_hant="原創性")
    StageEntry.objects.create(stage=stage, entry=entry, category=entry.category)
    for number, judge in enumerate(judges):
        PanelMember.objects.create(stage=stage, judge=judge, is_chair=number == 0)
        Assignment.objects.create(stage=stage, judge=judge, entry=entry)
    return stage


def test_no_judge_page_or_file_names_the_artist(client):
    entry = make_identified_entry(client)
    # Judging starts once the round is closed; the entry carries a warning.
    entry.round.__class__.objects.filter(pk=entry.round_id).update(
        state=RoundState.JUDGING
    )
    Entry.objects.filter(pk=entry.pk).update(
        content_warning=True, content_warning_note="Shows a storm at sea."
    )
    file = ArtworkFile.objects.get(entry=entry)
    # Facts a pipeline may learn of a device, planted so that their absence
    # shows that no judge page reads them.
    ArtworkFile.objects.filter(pk=file.pk).update(
        media_details={"camera": "NIKON COOLPIX P6000", "gps": "43.468244,11.880172"}
    )
    judge, colleague = factories.make_judge(), factories.make_judge()
    stage = judging_stage(entry, [judge, colleague])
    mine = Assignment.objects.select_related("stage").get(judge=judge)
    theirs = Assignment.objects.select_related("stage").get(judge=colleague)
    criterion = stage.criteria.get()
    save_score(
        theirs,
        data={f"criterion_{criterion.pk}": "8", "comment": "Strong horizon."},
        base_version=0,
        by=colleague,
        submit=True,
    )
    judge_client(client, judge)
    secrets = secrets_of(entry)
    texts = {}
    answers = []

    def page(url):
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = response.content.decode() + json.dumps(dict(response.headers))
        return texts[url]

    page(reverse("judging:dashboard"))
    page(reverse("judging:queue", args=[stage.pk]))
    entry_url = reverse("judging:entry", args=[mine.pk])
    page(entry_url)
    page(f"{entry_url}?show=work")
    page(reverse("judging:conflict", args=[mine.pk]))
    for body in (
        {"data": {"comment": "A draft"}, "base_version": 0},
        {"data": {f"criterion_{criterion.pk}": "99"}, "base_version": 1},
    ):
        answer = client.post(
            reverse("judging:score", args=[mine.pk]),
            data=json.dumps(body),
            content_type="application/json",
        )
        answers.append(answer.content.decode() + json.dumps(dict(answer.headers)))
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    panel = page(reverse("judging:panel_scores", args=[mine.pk]))
    page(entry_url + "?show=work")

    assert "Strong horizon." in panel
    assert [entry.reference in text for text in texts.values()].count(False) == 1
    for url, text in [*texts.items(), *(("json", a) for a in answers)]:
        assert found_in(text, secrets) == [], url

    copies = sorted(
        html.unescape(url)
        for url in {u for text in texts.values() for u in URL_ATTRIBUTE.findall(text)}
        if "X-Amz-Signature" in url
    )
    # The preview and the thumbnail of the one photo.
    assert len(copies) == 2
    for url in copies:
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, url
        headers = json.dumps(dict(response.headers))
        assert found_in(headers, secrets) == [], url
        assert response.content[:2] == b"\xff\xd8"
        # The copies are stripped: no EXIF block, no camera, no place.
        assert b"Exif\x00\x00" not in response.content
        # (Three letters may come up by chance in compressed bytes: "GPS" is
        # looked for in the texts only; the EXIF block holds it otherwise.)
        lowered = response.content.lower()
        assert [
            secret
            for secret in secrets
            if secret != "GPS" and secret.lower().encode() in lowered
        ] == [], url
    assert Score.objects.filter(assignment=mine).get().comment == "A draft"
