"""Nothing a judge gets names the artist: every judge page of an entry full of
its entrant's identity, every JSON answer, and every file those pages point to
(fetched over HTTP from the store) are searched for the entrant's names,
addresses, team, guardian and original file names, and for the devices and
places the files' metadata held. The entry holds a photo with its camera and
GPS in EXIF, a phone video whose container and track tags name the entrant and
where it was filmed, and a PDF whose /Info, XMP and sticky note name them: the
copies' headers and bytes are searched, and their metadata read back with the
tools a curious judge would use (exiftool, ffprobe, pikepdf)."""

import html
import json
import re
import subprocess
from urllib.parse import unquote, urlsplit

import pikepdf
import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from judging.enums import StageMode, StageState, Visibility
from judging.models import Assignment, Criterion, PanelMember, Score, Stage, StageEntry
from judging.services.scoring import save_score
from submissions import storage
from submissions.blind import JUDGING_KINDS
from submissions.enums import DerivativeKind, MediaKind, RoundState
from submissions.models import ArtworkFile, Derivative, Entry
from tests import factories, media_fixtures
from tests.judging.blind2_fixtures import (
    IDENTITY,
    PHONE_MODEL,
    PLACES,
    SECRETS,
    make_identified_media_entry,
)
from tests.judging.judge_fixtures import judge_client

pytestmark = pytest.mark.django_db

# Where a page points to a copy: images, posters, sources and links.
URL_ATTRIBUTE = re.compile(r'(?:src|href|poster)="(http[^"]+)"')
# The copies the judge's pages point to: each file's thumbnail, the photo's
# preview, the video to play and its poster frame, the PDF without its
# metadata and its three page images. That is every copy made for judging.
SHOWN = {
    (MediaKind.IMAGE, DerivativeKind.THUMB): 1,
    (MediaKind.IMAGE, DerivativeKind.PREVIEW): 1,
    (MediaKind.VIDEO, DerivativeKind.THUMB): 1,
    (MediaKind.VIDEO, DerivativeKind.VIDEO): 1,
    (MediaKind.VIDEO, DerivativeKind.POSTER): 1,
    (MediaKind.DOCUMENT, DerivativeKind.THUMB): 1,
    (MediaKind.DOCUMENT, DerivativeKind.DOCUMENT): 1,
    (MediaKind.DOCUMENT, DerivativeKind.PAGE): 3,
}


def secrets_of(entry):
    files = ArtworkFile.objects.filter(entry=entry)
    return [
        *SECRETS,
        "GPS",
        *(file.sha256 for file in files),
        *(file.key for file in files),
        "originals/",
    ]


def readable(text):
    """``text`` as a reader would take it in: entities and URL escapes undone
    (twice: a name may be quoted inside a quoted URL), in lower case."""
    return unquote(unquote(html.unescape(text))).lower()


def found_in(text, secrets):
    text = readable(text)
    return [secret for secret in secrets if secret.lower() in text]


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


def exiftool(path):
    """Every tag exiftool reads in the file at ``path``, embedded files and
    images included, as JSON text."""
    result = subprocess.run(
        ["exiftool", "-json", "-a", "-u", "-G1", "-ee", str(path)],
        capture_output=True,
        timeout=60,
        check=True,
        text=True,
    )
    return json.dumps(json.loads(result.stdout))


def pdf_metadata(path):
    """The document information dictionary and the XMP of the PDF at ``path``,
    as pikepdf reads them, then every object of the file: dictionaries and
    arrays as written, streams decoded but for images' own compression."""
    with pikepdf.open(path) as pdf:
        info = {str(key): str(value) for key, value in pdf.docinfo.items()}
        with pdf.open_metadata() as xmp:
            packet = str(xmp)
        objects = []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                objects.append(repr(obj.stream_dict))
                try:
                    data = obj.read_bytes(pikepdf.StreamDecodeLevel.generalized)
                except pikepdf.PdfError:
                    # An image's own compression (JPEG) is kept as stored.
                    data = obj.read_raw_bytes()
                objects.append(data.decode("latin-1"))
            else:
                objects.append(repr(obj))
    return json.dumps({"info": info, "xmp": packet, "objects": objects})


def metadata_of(path, content_type):
    """What the metadata tools read in the copy at ``path``: ffprobe's format,
    streams and tags of a video or a sound, pikepdf's /Info and XMP of a PDF,
    and exiftool's every tag of anything."""
    read = [exiftool(path)]
    if content_type.startswith(("video/", "audio/")):
        description = media_fixtures.ffprobe(path)
        read += [
            json.dumps(description),
            json.dumps(media_fixtures.all_tags(description)),
        ]
    if content_type == "application/pdf":
        read.append(pdf_metadata(path))
    return read


def original_of(file):
    return (
        storage.client()
        .get_object(Bucket=storage.bucket(), Key=file.key)["Body"]
        .read()
    )


def assert_originals_carry_the_identity(entry, workdir):
    """The trap is real: the tools read the camera and the place in the photo,
    and the entrant's names, e-mail, phone model and place in the video and the
    PDF, as uploaded."""
    files = {file.kind: file for file in ArtworkFile.objects.filter(entry=entry)}
    assert set(files) == {MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.DOCUMENT}
    for kind, expected in (
        (MediaKind.IMAGE, ["NIKON", "COOLPIX", "GPS"]),
        (
            MediaKind.VIDEO,
            [
                IDENTITY["legal_name"],
                IDENTITY["credit_name"],
                IDENTITY["email"],
                PHONE_MODEL,
                *PLACES,
            ],
        ),
        (
            MediaKind.DOCUMENT,
            [IDENTITY["legal_name"], IDENTITY["credit_name"], IDENTITY["email"]],
        ),
    ):
        path = workdir / f"original-{kind}"
        path.write_bytes(original_of(files[kind]))
        read = " ".join(metadata_of(path, files[kind].content_type))
        assert [secret for secret in expected if secret not in read] == [], kind
    assert files[MediaKind.VIDEO].original_name == "leung-ka-yan-video.mp4"
    assert files[MediaKind.DOCUMENT].original_name == "leung-ka-yan-statement.pdf"


def test_no_judge_page_or_file_names_the_artist(client, tmp_path):
    entry = make_identified_media_entry(client)
    assert_originals_carry_the_identity(entry, tmp_path)
    # Judging starts once the round is closed; the entry carries a warning.
    entry.round.__class__.objects.filter(pk=entry.round_id).update(
        state=RoundState.JUDGING
    )
    Entry.objects.filter(pk=entry.pk).update(
        content_warning=True, content_warning_note="Shows a storm at sea."
    )
    # Facts a pipeline may learn of a device, planted so that their absence
    # shows that no judge page reads them.
    planted = {
        MediaKind.IMAGE: {
            "camera": "NIKON COOLPIX P6000",
            "gps": "43.468244,11.880172",
        },
        MediaKind.VIDEO: {"model": PHONE_MODEL, "location": "+22.2783+114.1747/"},
        MediaKind.DOCUMENT: {"author": IDENTITY["legal_name"]},
    }
    for file in ArtworkFile.objects.filter(entry=entry):
        ArtworkFile.objects.filter(pk=file.pk).update(
            media_details={**(file.media_details or {}), **planted[file.kind]}
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

    shown = {
        html.unescape(url)
        for text in texts.values()
        for url in URL_ATTRIBUTE.findall(text)
        if "X-Amz-Signature" in url
    }
    copies = Derivative.objects.filter(
        artwork_file__entry=entry, kind__in=JUDGING_KINDS
    ).select_related("artwork_file")
    by_key = {copy.key: copy for copy in copies}
    # A presigned URL's path is the bucket, then the key. A copy on several
    # pages, signed in different seconds, has several URLs: one is fetched.
    urls_by_key = {}
    for url in sorted(shown):
        urls_by_key.setdefault(unquote(urlsplit(url).path.split("/", 2)[2]), url)
    assert [key for key in urls_by_key if key not in by_key] == []
    shown_copies = [by_key[key] for key in urls_by_key]
    counts = {}
    for copy in shown_copies:
        kind = (copy.artwork_file.kind, copy.kind)
        counts[kind] = counts.get(kind, 0) + 1
    assert counts == SHOWN
    assert len(shown_copies) == copies.count()
    fetched = {url: by_key[key] for key, url in urls_by_key.items()}

    for number, (url, copy) in enumerate(sorted(fetched.items())):
        label = f"{copy.artwork_file.kind} {copy.kind} {copy.index}"
        response = requests.get(url, timeout=10)
        assert response.status_code == 200, label
        assert found_in(json.dumps(dict(response.headers)), secrets) == [], label
        content_type = response.headers["Content-Type"]
        assert content_type == copy.content_type, label
        # (Three letters may come up by chance in compressed bytes: "GPS" is
        # looked for in the texts and the metadata only.)
        lowered = response.content.lower()
        assert [
            secret
            for secret in secrets
            if secret != "GPS" and secret.lower().encode() in lowered
        ] == [], label
        path = tmp_path / f"copy-{number}"
        path.write_bytes(response.content)
        for read in metadata_of(path, content_type):
            assert found_in(read, secrets) == [], label
        if content_type == "image/jpeg":
            # The copies are stripped: no EXIF block, no camera, no place.
            assert b"Exif\x00\x00" not in response.content, label
    assert Score.objects.filter(assignment=mine).get().comment == "A draft"
