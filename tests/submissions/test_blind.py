"""The blind face of submissions: what judging reads of an entry, and the
short-lived URLs of the copies made for judges."""

import dataclasses
import datetime
import json

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from submissions.blind import (
    BlindCategory,
    BlindCopy,
    BlindEntry,
    BlindFile,
    NotJudgeable,
    blind_entries,
    blind_entry,
    judging_copy_url,
)
from submissions.enums import (
    DerivativeKind,
    EntryState,
    FileState,
    MediaKind,
    ScreeningState,
)
from submissions.models import ArtworkFile, Derivative, Entry
from submissions.services.entries import withdraw_entry
from tests import factories
from tests.blind_fixtures import (
    ALT_TEXT,
    DEVICE_WORDS,
    IDENTITY,
    make_identified_entry,
)
from tests.entry_factories import (
    COMPLETE,
    add_file,
    adult_category,
    make_complete_entry,
    make_open_round,
    make_submitted_entry,
)
from tests.upload_helpers import query_of, stored_bytes

pytestmark = pytest.mark.django_db

# Columns that tell who made a work, or when and from what device and file: no
# query of the blind face may read them. Quoted column names match the table's
# name and the aliases of subqueries alike.
IDENTITY_COLUMNS = (
    '"entrant_id"',
    '"filed_by_id"',
    '"owner_id"',
    '"credit"',
    '"guardian_name"',
    '"guardian_email"',
    '"consent_notes"',
    '"created_at"',
    '"submitted_at"',
    '"original_name"',
    '"uploaded_at"',
    '"declared_size"',
    '"size"',
    '"sha256"',
    '"media_details"',
    '"key"',
    '"submissions_artworkfile"."content_type"',
    '"legal_name"',
    '"email"',
)


def add_copy(file, kind, *, index=0, extension="jpg", content_type="image/jpeg"):
    """A derivative as processing stores it (processing has its own tests)."""
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


def blind_copy(derivative):
    return BlindCopy(
        id=derivative.pk,
        kind=derivative.kind,
        number=derivative.index,
        width=derivative.width,
        height=derivative.height,
        content_type=derivative.content_type,
    )


def jpeg_copy(derivative, width, height):
    return BlindCopy(
        id=derivative.pk,
        kind=derivative.kind,
        number=0,
        width=width,
        height=height,
        content_type="image/jpeg",
    )


def serialised(value):
    return json.dumps(dataclasses.asdict(value), ensure_ascii=False, default=str)


def leaves(value):
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from leaves(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def disposition(url):
    return query_of(url)["response-content-disposition"]


def attachment(name):
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"


@pytest.fixture
def identified(client):
    return make_identified_entry(client)


# What the values are ----------------------------------------------------------------


def test_the_blind_values_have_exactly_these_fields():
    def names(cls):
        return " ".join(field.name for field in dataclasses.fields(cls))

    assert names(BlindEntry) == (
        "id reference round_id category title_en title_zh_hant statement text_work "
        "medium year_made dimensions content_warning content_warning_note files"
    )
    assert names(BlindCategory) == "id name_en name_zh_hant"
    assert names(BlindFile) == (
        "number kind width height duration page_count description judge_copy "
        "thumbnail poster pages"
    )
    assert names(BlindCopy) == "id kind number width height content_type"


def test_a_blind_entry_is_the_work_and_the_copies_made_for_judges(identified):
    file = identified.files.get()
    copies = {derivative.kind: derivative for derivative in file.derivatives.all()}
    assert set(copies) == {DerivativeKind.PREVIEW, DerivativeKind.THUMB}

    assert blind_entry(identified.pk) == BlindEntry(
        id=identified.pk,
        reference=identified.reference,
        round_id=identified.round_id,
        category=BlindCategory(
            id=identified.category_id, name_en="Youth", name_zh_hant="青年組"
        ),
        title_en="Harbour at Dusk",
        title_zh_hant="黃昏的海港",
        statement=COMPLETE["statement"],
        text_work="",
        medium="Ink on rice paper",
        year_made=2024,
        dimensions="640 × 480 px",
        content_warning=False,
        content_warning_note="",
        files=(
            BlindFile(
                number=1,
                kind=MediaKind.IMAGE,
                width=640,
                height=480,
                duration=None,
                page_count=None,
                description=ALT_TEXT,
                judge_copy=jpeg_copy(copies[DerivativeKind.PREVIEW], 640, 480),
                thumbnail=jpeg_copy(copies[DerivativeKind.THUMB], 480, 360),
                poster=None,
                pages=(),
            ),
        ),
    )
    assert blind_entries(round_id=identified.round_id) == [blind_entry(identified.pk)]


def test_nothing_judging_gets_names_the_entrant_or_their_device(identified):
    file = identified.files.get()
    # Facts a pipeline may learn of a device, planted so that their absence shows
    # that the blind face does not read them.
    ArtworkFile.objects.filter(pk=file.pk).update(
        media_details={"camera": "NIKON COOLPIX P6000", "gps": "43.468244,11.880172"}
    )
    secrets = [
        *IDENTITY.values(),
        *DEVICE_WORDS,
        "43.468244",
        file.sha256,
        file.key,
        *file.derivatives.values_list("key", flat=True),
        "originals/",
        "derivatives/",
    ]
    assert len(file.sha256) == 64

    texts = [
        serialised(blind_entry(identified.pk)),
        *(serialised(entry) for entry in blind_entries(round_id=identified.round_id)),
    ]

    assert len(texts) == 2
    for text in texts:
        assert [secret for secret in secrets if secret.lower() in text.lower()] == []


def test_blind_values_hold_no_model_no_queryset_and_no_moment(identified):
    listed = blind_entries(round_id=identified.round_id)

    assert type(listed) is list
    assert {type(leaf) for leaf in leaves(listed)} == {
        bool,
        int,
        str,
        type(None),
        MediaKind,
        DerivativeKind,
    }


def test_blind_values_cannot_be_changed(identified):
    entry = blind_entry(identified.pk)

    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.title_en = "Another title"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.files[0].description = "Another description"


def test_no_query_reads_a_column_that_identifies(identified):
    with CaptureQueriesContext(connection) as queries:
        blind_entries(round_id=identified.round_id)
        blind_entry(identified.pk)

    assert len(queries) == 6
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert [column for column in IDENTITY_COLUMNS if column in sql] == []
    assert "accounts_" not in sql


def test_titles_and_category_follow_the_reader_s_language(identified):
    entry = blind_entry(identified.pk)

    with translation.override("zh-hant"):
        assert (entry.title, entry.category.name) == ("黃昏的海港", "青年組")
    with translation.override("en"):
        assert (entry.title, entry.category.name) == ("Harbour at Dusk", "Youth")


# Which entries, files and copies ----------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_listing_costs_three_queries_however_many_entries(
    django_assert_num_queries, count
):
    round_ = make_open_round(entry_cap=50)
    entrant = factories.make_entrant()
    for _ in range(count):
        file = make_submitted_entry(round_, entrant=entrant).files.get()
        add_copy(file, DerivativeKind.PREVIEW)
        add_copy(file, DerivativeKind.THUMB)

    with django_assert_num_queries(3):
        listed = blind_entries(round_id=round_.pk)

    assert [
        [(file.judge_copy.kind, file.thumbnail.kind) for file in entry.files]
        for entry in listed
    ] == [[(DerivativeKind.PREVIEW, DerivativeKind.THUMB)]] * count


def test_a_round_without_judgeable_entries_lists_none(django_assert_num_queries):
    round_ = make_open_round()
    make_complete_entry(round_, entrant=factories.make_entrant())

    with django_assert_num_queries(1):
        assert blind_entries(round_id=round_.pk) == []


def test_only_submitted_entries_are_judged():
    round_ = make_open_round()
    entrant = factories.make_entrant()
    submitted = make_submitted_entry(round_, entrant=entrant)
    draft = make_complete_entry(round_, entrant=entrant)
    withdrawn = make_submitted_entry(round_, entrant=entrant)
    withdraw_entry(withdrawn, by=entrant)

    assert [entry.id for entry in blind_entries(round_id=round_.pk)] == [submitted.pk]
    assert blind_entry(submitted.pk).id == submitted.pk
    for entry in (draft, withdrawn):
        with pytest.raises(NotJudgeable) as refused:
            blind_entry(entry.pk)
        assert refused.value.code == "entry_not_judgeable"
        assert str(refused.value) == "This entry is not available for judging."


def test_an_entry_that_does_not_exist_is_not_judgeable():
    with pytest.raises(NotJudgeable) as refused:
        blind_entry(987654)

    assert refused.value.code == "entry_not_judgeable"


@pytest.mark.parametrize(
    "states",
    [
        {EntryState.DRAFT},
        {EntryState.SUBMITTED, EntryState.WITHDRAWN},
        set(),
    ],
)
def test_states_other_than_the_judgeable_ones_cannot_be_asked_for(states):
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=factories.make_entrant())

    with pytest.raises(ValueError):
        blind_entries(round_id=round_.pk, states=states)
    with pytest.raises(ValueError):
        blind_entry(entry.pk, states=states)
    assert [e.id for e in blind_entries(round_id=round_.pk, states=["submitted"])] == [
        entry.pk
    ]


def test_only_ready_files_and_the_copies_judges_get_are_given():
    round_ = make_open_round()
    entry = make_submitted_entry(round_, entrant=factories.make_entrant())
    image = entry.files.get()
    rejected = add_file(entry, state=FileState.REJECTED)
    audio = add_file(entry, kind=MediaKind.AUDIO)
    processing = add_file(entry, kind=MediaKind.VIDEO, state=FileState.PROCESSING)
    document = add_file(entry, kind=MediaKind.DOCUMENT)
    video = add_file(entry, kind=MediaKind.VIDEO)
    failed = add_file(entry, state=FileState.FAILED)
    add_file(entry, state=FileState.AWAITING_UPLOAD)
    add_file(entry, state=FileState.UPLOADED)
    ArtworkFile.objects.filter(pk=audio.pk).update(duration=93.5)
    ArtworkFile.objects.filter(pk=document.pk).update(page_count=2)
    ArtworkFile.objects.filter(pk=video.pk).update(
        width=1920, height=1080, duration=61.0
    )
    preview = add_copy(image, DerivativeKind.PREVIEW)
    image_thumb = add_copy(image, DerivativeKind.THUMB)
    add_copy(rejected, DerivativeKind.THUMB)
    recording = add_copy(
        audio, DerivativeKind.AUDIO, extension="m4a", content_type="audio/mp4"
    )
    add_copy(audio, DerivativeKind.WAVEFORM, extension="png", content_type="image/png")
    audio_thumb = add_copy(audio, DerivativeKind.THUMB)
    add_copy(processing, DerivativeKind.THUMB)
    add_copy(failed, DerivativeKind.PREVIEW)
    pdf = add_copy(
        document,
        DerivativeKind.DOCUMENT,
        extension="pdf",
        content_type="application/pdf",
    )
    page_2 = add_copy(document, DerivativeKind.PAGE, index=2)
    page_1 = add_copy(document, DerivativeKind.PAGE, index=1)
    document_thumb = add_copy(document, DerivativeKind.THUMB)
    playable = add_copy(
        video, DerivativeKind.VIDEO, extension="mp4", content_type="video/mp4"
    )
    poster = add_copy(video, DerivativeKind.POSTER)
    video_thumb = add_copy(video, DerivativeKind.THUMB)

    files = blind_entry(entry.pk).files

    assert [
        (
            file.number,
            file.kind,
            file.width,
            file.height,
            file.duration,
            file.page_count,
            file.judge_copy,
            file.thumbnail,
            file.poster,
            file.pages,
        )
        for file in files
    ] == [
        (
            1,
            MediaKind.IMAGE,
            None,
            None,
            None,
            None,
            blind_copy(preview),
            blind_copy(image_thumb),
            None,
            (),
        ),
        (
            2,
            MediaKind.AUDIO,
            None,
            None,
            93.5,
            None,
            blind_copy(recording),
            blind_copy(audio_thumb),
            None,
            (),
        ),
        (
            3,
            MediaKind.DOCUMENT,
            None,
            None,
            None,
            2,
            blind_copy(pdf),
            blind_copy(document_thumb),
            None,
            (blind_copy(page_1), blind_copy(page_2)),
        ),
        (
            4,
            MediaKind.VIDEO,
            1920,
            1080,
            61.0,
            None,
            blind_copy(playable),
            blind_copy(video_thumb),
            blind_copy(poster),
            (),
        ),
    ]


def test_entries_are_listed_in_the_order_of_their_reference_codes():
    round_ = make_open_round(entry_cap=10)
    entrant = factories.make_entrant()
    first, second, third = (
        make_submitted_entry(round_, entrant=entrant) for _ in range(3)
    )
    prefix = f"HRAP-{round_.year}-"
    # A round of more than 9,999 entries: its codes grow a digit, and "10000"
    # comes before "9999" as text.
    Entry.objects.filter(pk=first.pk).update(reference=f"{prefix}10000")
    Entry.objects.filter(pk=second.pk).update(reference=f"{prefix}9999")

    assert [entry.reference for entry in blind_entries(round_id=round_.pk)] == [
        f"{prefix}0003",
        f"{prefix}9999",
        f"{prefix}10000",
    ]
    assert third.reference == f"{prefix}0003"


def test_listing_narrows_to_a_category_and_to_given_entries():
    round_ = make_open_round(entry_cap=10)
    adults = adult_category(round_)
    trained = factories.make_category(
        round_, name_en="Adult — trained", name_zh_hant="成人組 — 受訓"
    )
    entrant = factories.make_entrant()
    a = make_submitted_entry(round_, entrant=entrant)
    b = make_submitted_entry(round_, entrant=entrant, category=trained)
    c = make_submitted_entry(round_, entrant=entrant)
    other_round = make_open_round(year=round_.year - 1)
    d = make_submitted_entry(other_round, entrant=entrant)

    def ids(**filters):
        return [entry.id for entry in blind_entries(**filters)]

    assert ids(round_id=round_.pk) == [a.pk, b.pk, c.pk]
    assert ids(round_id=round_.pk, category_id=adults.pk) == [a.pk, c.pk]
    assert ids(round_id=round_.pk, entry_ids=[c.pk, d.pk]) == [c.pk]
    assert ids(round_id=round_.pk, category_id=trained.pk, entry_ids=[a.pk]) == []
    assert ids(round_id=other_round.pk) == [d.pk]


# The URL of a copy -------------------------------------------------------------------


def test_a_judge_copy_is_served_under_a_name_that_tells_nothing(identified):
    file = blind_entry(identified.pk).files[0]

    response = requests.get(judging_copy_url(file.judge_copy.id), timeout=10)

    assert response.status_code == 200
    stored = Derivative.objects.get(pk=file.judge_copy.id)
    assert response.content == stored_bytes(stored.key)
    assert response.content[:2] == b"\xff\xd8"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Content-Disposition"] == attachment(
        f"{identified.reference}-1.jpg"
    )
    # The copy itself is stripped: no EXIF block, no camera.
    assert b"Exif\x00\x00" not in response.content
    assert [word for word in DEVICE_WORDS if word.encode() in response.content] == []


def test_a_thumbnail_is_served_under_its_kind(identified):
    file = blind_entry(identified.pk).files[0]

    response = requests.get(judging_copy_url(file.thumbnail.id), timeout=10)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == attachment(
        f"{identified.reference}-1-thumb.jpg"
    )


def test_the_url_lives_as_long_as_a_presigned_url_may(settings):
    settings.S3_PRESIGN_SECONDS = 120
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    preview = add_copy(entry.files.get(), DerivativeKind.PREVIEW)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    query = query_of(judging_copy_url(preview.pk))

    signed_at = datetime.datetime.strptime(
        query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"
    ).replace(tzinfo=datetime.UTC)
    assert query["X-Amz-Expires"] == "120"
    assert before <= signed_at <= datetime.datetime.now(datetime.UTC)


def test_a_copy_s_name_counts_ready_files_only():
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    add_file(entry, state=FileState.REJECTED)
    document = add_file(entry, kind=MediaKind.DOCUMENT)
    page = add_copy(document, DerivativeKind.PAGE, index=2, extension="png")
    pdf = add_copy(
        document,
        DerivativeKind.DOCUMENT,
        extension="pdf",
        content_type="application/pdf",
    )

    assert [file.number for file in blind_entry(entry.pk).files] == [1, 2]
    assert disposition(judging_copy_url(page.pk)) == attachment(
        f"{entry.reference}-2-page-2.png"
    )
    assert disposition(judging_copy_url(pdf.pk)) == attachment(
        f"{entry.reference}-2.pdf"
    )
    assert query_of(judging_copy_url(pdf.pk))["response-content-type"] == (
        "application/pdf"
    )


def test_a_copy_judges_do_not_get_is_refused():
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    audio = add_file(entry, kind=MediaKind.AUDIO)
    waveform = add_copy(
        audio, DerivativeKind.WAVEFORM, extension="png", content_type="image/png"
    )

    with pytest.raises(NotJudgeable) as refused:
        judging_copy_url(waveform.pk)

    assert refused.value.code == "not_a_judging_copy"


def test_a_copy_that_does_not_exist_is_refused():
    with pytest.raises(NotJudgeable) as refused:
        judging_copy_url(987654)

    assert refused.value.code == "not_a_judging_copy"


def test_a_copy_of_a_file_that_is_not_ready_is_refused():
    entry = make_submitted_entry(make_open_round(), entrant=factories.make_entrant())
    # A file whose processing failed may keep copies an earlier run made.
    failed = add_file(entry, state=FileState.FAILED)
    thumb = add_copy(failed, DerivativeKind.THUMB)

    with pytest.raises(NotJudgeable) as refused:
        judging_copy_url(thumb.pk)

    assert refused.value.code == "file_not_ready"


@pytest.mark.parametrize("state", [EntryState.DRAFT, EntryState.WITHDRAWN])
def test_a_copy_of_an_entry_that_is_not_judged_is_refused(state):
    entrant = factories.make_entrant()
    entry = make_complete_entry(make_open_round(), entrant=entrant)
    if state == EntryState.WITHDRAWN:
        withdraw_entry(entry, by=entrant)
    preview = add_copy(entry.files.get(), DerivativeKind.PREVIEW)

    with pytest.raises(NotJudgeable) as refused:
        judging_copy_url(preview.pk)

    assert refused.value.code == "entry_not_judgeable"
    assert Entry.objects.get(pk=entry.pk).state == state


def test_refusals_are_told_in_the_reader_s_language():
    with pytest.raises(NotJudgeable) as refused:
        judging_copy_url(987654)

    with translation.override("zh-hant"):
        assert str(refused.value.message) == "此副本不供評審使用。"


def test_judging_may_ask_for_the_eligible_entries_only(identified):
    round_id = identified.round_id
    assert blind_entries(round_id=round_id, screening=ScreeningState.ELIGIBLE) == []
    Entry.objects.filter(pk=identified.pk).update(
        screening=ScreeningState.ELIGIBLE,
        content_warning=True,
        content_warning_note="Depicts violence.",
    )

    (entry,) = blind_entries(round_id=round_id, screening=ScreeningState.ELIGIBLE)
    assert (entry.id, entry.content_warning, entry.content_warning_note) == (
        identified.pk,
        True,
        "Depicts violence.",
    )
