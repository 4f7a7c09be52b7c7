"""Duplicate files across entries and rounds: real photos through real processing,
their copies made with Pillow, matched by SHA-256 and perceptual hash."""

import hashlib
import io
import itertools

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from PIL import Image, ImageOps

from artsprize.common.models import OutboxMessage
from submissions import storage
from submissions.enums import (
    DerivativeKind,
    EntryState,
    FileState,
    MatchKind,
    MediaKind,
)
from submissions.media import images
from submissions.models import ArtworkFile, FileMatch
from submissions.selectors.duplicates import matches_of_entries
from submissions.services.duplicates import (
    THRESHOLD,
    find_file_matches,
    record_all_matches,
)
from submissions.services.entries import withdraw_entry
from submissions.services.processing import process_file
from submissions.tasks import find_file_matches_task
from tests import processing_fixtures as fixtures
from tests.factories import make_entrant
from tests.upload_helpers import make_entry, make_open_round, stored_file

pytestmark = pytest.mark.django_db

REAL = fixtures.REAL_FIXTURES
_references = itertools.count(1)


def _photo(name):
    return (REAL / name).read_bytes()


def _copy(name, *, scale=1.0, turn=0, crop=0.0, quality=70):
    """A JPEG of the upright photo ``name``: resized by ``scale``, turned by
    ``turn`` degrees and cropped by ``crop`` of each side, re-encoded at
    ``quality``, without the original's metadata."""
    with Image.open(REAL / name) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    if scale != 1.0:
        width, height = image.size
        image = image.resize(
            (round(width * scale), round(height * scale)), Image.Resampling.BILINEAR
        )
    if turn:
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC)
    if crop:
        width, height = image.size
        left, top = int(width * crop), int(height * crop)
        image = image.crop((left, top, width - left, height - top))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _drawing():
    """A picture unlike any photo: stripes and a disc, made with Pillow."""
    image = Image.new("RGB", (800, 600), "white")
    pixels = image.load()
    for x in range(800):
        for y in range(600):
            if (x // 40) % 2:
                pixels[x, y] = (20, 60, 160)
            if (x - 560) ** 2 + (y - 200) ** 2 < 120**2:
                pixels[x, y] = (220, 40, 40)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _entry(round_=None, *, state=EntryState.SUBMITTED, entrant=None):
    round_ = round_ or make_open_round()
    reference = f"HRAP-{round_.year}-{next(_references):04d}"
    return make_entry(
        entrant or make_entrant(),
        round_=round_,
        state=state,
        reference=reference if state != EntryState.DRAFT else None,
    )


def _ready(entry, data, *, name="work.jpg", position=0):
    """A file of ``entry`` holding ``data``, processed for real."""
    file = stored_file(entry, data, name=name, position=position)
    processed = process_file(file)
    assert processed.state == FileState.READY, processed.reason
    return processed


def _matches():
    return sorted(
        FileMatch.objects.values_list("file_id", "other_id", "kind", "distance")
    )


@pytest.fixture
def round_():
    return make_open_round()


# Processing ------------------------------------------------------------------


def test_processing_an_image_stores_its_hash_and_queues_the_search(round_):
    file = _ready(_entry(round_), _photo("DSCN0029.jpg"))

    assert file.perceptual_hash == "e9c006de0ececdc6"
    with Image.open(REAL / "DSCN0029.jpg") as photo:
        image = photo.convert("RGB")
    image.thumbnail((480, 480))
    # The hash of the picture, however it was shrunk: a bit or two at most.
    assert (
        int(file.perceptual_hash, 16) ^ int(images.perceptual_hash(image), 16)
    ).bit_count() <= 2
    assert list(
        OutboxMessage.objects.filter(task="submissions.find_file_matches").values_list(
            "args", flat=True
        )
    ) == [[file.pk]]


def test_a_heic_photo_is_hashed_upright_and_its_jpeg_copy_is_similar(round_):
    heic = _ready(_entry(round_), _photo("iphone_13_pro_max.HEIC"), name="a.heic")
    copy = _ready(_entry(round_), _copy("iphone_13_pro_max.HEIC", scale=0.5))

    assert len(heic.perceptual_hash) == 16
    assert find_file_matches(copy.pk) == {MatchKind.SIMILAR_IMAGE: 1}
    assert _matches() == [(copy.pk, heic.pk, MatchKind.SIMILAR_IMAGE, 0)]


def test_files_that_are_not_images_get_no_hash(round_):
    document = stored_file(
        _entry(round_),
        fixtures.pdf_document(),
        name="poem.pdf",
        kind=MediaKind.DOCUMENT,
        content_type="application/pdf",
    )

    assert process_file(document).perceptual_hash == ""


# Matching ---------------------------------------------------------------------


def test_an_exact_copy_in_another_entry_is_the_same_file(round_):
    data = _photo("DSCN0029.jpg")
    first = _ready(_entry(round_), data)
    second = _ready(_entry(round_), data)

    assert find_file_matches_task(second.pk) is None

    assert _matches() == [(second.pk, first.pk, MatchKind.SAME_FILE, 0)]
    assert first.sha256 == second.sha256 == hashlib.sha256(data).hexdigest()


def test_a_resized_re_encoded_copy_is_a_similar_image(round_):
    # The original is turned by its EXIF orientation; the copy is saved upright.
    original = _ready(_entry(round_), _photo("portrait_6.jpg"))
    copy = _ready(_entry(round_), _copy("portrait_6.jpg", scale=0.5))

    assert find_file_matches(copy.pk) == {MatchKind.SIMILAR_IMAGE: 1}

    assert _matches() == [(copy.pk, original.pk, MatchKind.SIMILAR_IMAGE, 2)]


def test_a_slightly_turned_and_cropped_copy_is_a_similar_image(round_):
    original = _ready(_entry(round_), _photo("DSCN0029.jpg"))
    copy = _ready(_entry(round_), _copy("DSCN0029.jpg", turn=1, crop=0.03))

    find_file_matches(copy.pk)

    assert _matches() == [(copy.pk, original.pk, MatchKind.SIMILAR_IMAGE, 2)]


def test_different_works_are_not_matched(round_):
    files = [
        _ready(_entry(round_), _photo("DSCN0029.jpg")),
        _ready(_entry(round_), _photo("BlueSquare.jpg")),
        _ready(_entry(round_), _photo("HMD_Nokia_8.3_5G.jpg")),
        _ready(_entry(round_), _drawing(), name="drawing.png"),
    ]

    for file in files:
        assert find_file_matches(file.pk) == {}

    assert _matches() == []
    nearest = min(
        (int(a.perceptual_hash, 16) ^ int(b.perceptual_hash, 16)).bit_count()
        for a, b in itertools.combinations(files, 2)
    )
    assert nearest > THRESHOLD


def test_a_work_entered_in_an_earlier_round_is_found(round_):
    earlier_round = make_open_round(year=round_.year - 1)
    earlier = _entry(earlier_round)
    old = _ready(earlier, _photo("BlueSquare.jpg"), position=0)
    old_copy = _ready(earlier, _photo("DSCN0029.jpg"), position=1)
    entry = _entry(round_)
    new = _ready(entry, _copy("DSCN0029.jpg", scale=0.5))

    find_file_matches(new.pk)

    assert _matches() == [(new.pk, old_copy.pk, MatchKind.SIMILAR_IMAGE, 0)]
    [match] = matches_of_entries([entry.pk])[entry.pk]
    assert (
        match.other_entry_id,
        match.other_reference,
        match.other_round_year,
        match.other_round_title,
        match.file_number,
        match.other_file_number,
        match.same_round,
    ) == (
        earlier.pk,
        earlier.reference,
        round_.year - 1,
        "Colours of Humanity",
        1,
        2,
        False,
    )
    assert (match.file_id, match.other_file_id) == (new.pk, old_copy.pk)
    assert old.pk not in {m[1] for m in _matches()}


def test_running_again_records_nothing_more(round_):
    data = _photo("DSCN0029.jpg")
    first = _ready(_entry(round_), data)
    second = _ready(_entry(round_), data)
    third = _ready(_entry(round_), _copy("DSCN0029.jpg", scale=0.5))
    for file in (first, second, third):
        find_file_matches(file.pk)
    recorded = _matches()

    again = [find_file_matches(file.pk) for file in (first, second, third)]

    assert again == [{}, {}, {}]
    assert record_all_matches() == {}
    assert (
        _matches()
        == recorded
        == [
            (second.pk, first.pk, MatchKind.SAME_FILE, 0),
            (third.pk, first.pk, MatchKind.SIMILAR_IMAGE, 0),
            (third.pk, second.pk, MatchKind.SIMILAR_IMAGE, 0),
        ]
    )


def test_files_of_one_entry_are_not_matched_with_each_other(round_):
    entry = _entry(round_)
    data = _photo("DSCN0029.jpg")
    first = _ready(entry, data, position=0)
    second = _ready(entry, data, position=1)
    third = _ready(entry, _copy("DSCN0029.jpg", scale=0.5), position=2)

    for file in (first, second, third):
        assert find_file_matches(file.pk) == {}

    assert record_all_matches() == {}
    assert _matches() == []


def test_withdrawn_entries_do_not_count(round_):
    data = _photo("DSCN0029.jpg")
    withdrawn = _entry(round_, state=EntryState.WITHDRAWN)
    _ready(withdrawn, data)
    entry = _entry(round_)
    file = _ready(entry, data)

    assert find_file_matches(file.pk) == {}

    later = _entry(round_)
    later_file = _ready(later, data)
    assert find_file_matches(later_file.pk) == {MatchKind.SAME_FILE: 1}
    assert [m.other_entry_id for m in matches_of_entries([entry.pk])[entry.pk]] == [
        later.pk
    ]

    # Withdrawn after the match was found: it is no longer shown on either side.
    withdraw_entry(later, by=later.entrant)
    assert matches_of_entries([entry.pk, later.pk]) == {entry.pk: [], later.pk: []}
    # Nor does a withdrawn entry's own file look for matches.
    assert find_file_matches(later_file.pk) == {}


def test_a_draft_entry_counts_and_is_named_as_a_draft(round_):
    draft = _entry(round_, state=EntryState.DRAFT)
    _ready(draft, _photo("DSCN0029.jpg"))
    entry = _entry(round_)
    file = _ready(entry, _photo("DSCN0029.jpg"))

    find_file_matches(file.pk)

    [match] = matches_of_entries([entry.pk])[entry.pk]
    assert (match.other_entry_id, match.other_reference) == (draft.pk, "")
    assert _text([match]) == "File 1: Same file as a draft (file 1)"


# The selector and its partial --------------------------------------------------

PARTIAL = "submissions/manage/_file_matches.html"


def _text(matches):
    """The partial's text for ``matches``, its spaces collapsed."""
    return " ".join(strip_tags(render_to_string(PARTIAL, {"matches": matches})).split())


def _hashed_file(entry, *, sha256, perceptual_hash, position=0, state=FileState.READY):
    """A file with the facts processing records (no bytes needed to read
    matches back), ready unless ``state`` says otherwise."""
    return ArtworkFile.objects.create(
        entry=entry,
        owner=entry.entrant,
        position=position,
        kind=MediaKind.IMAGE,
        key=f"{storage.ORIGINALS_PREFIX}test/{entry.pk}/{position}",
        original_name="work.jpg",
        content_type="image/jpeg",
        declared_size=1000,
        size=1000,
        state=state,
        sha256=sha256,
        perceptual_hash=perceptual_hash,
    )


def _entries_with_matches(round_, count):
    """``count`` pairs of entries: the second of each pair has one image 6 bits
    from the first entry's second image, and then the same file as its first.
    Each pair's hashes are far from every other pair's."""
    entries = []
    for number in range(count):
        base = int(hashlib.sha256(b"%d" % number).hexdigest()[:16], 16)
        sha = f"{number:064x}"
        original = _entry(round_)
        _hashed_file(original, sha256=sha, perceptual_hash=f"{base:016x}")
        _hashed_file(
            original,
            sha256=f"{number + 10_000:064x}",
            perceptual_hash=f"{base ^ 0xFF00000000000000:016x}",
            position=1,
        )
        entry = _entry(round_)
        _hashed_file(
            entry,
            sha256=f"{number + 20_000:064x}",
            perceptual_hash=f"{base ^ 0xFF0000000000003F:016x}",
        )
        _hashed_file(entry, sha256=sha, perceptual_hash="", position=1)
        entries.append(entry)
    for file in ArtworkFile.objects.filter(entry__in=entries):
        find_file_matches(file.pk)
    assert FileMatch.objects.count() == 2 * count
    return entries


@pytest.mark.parametrize("count", [1, 20])
def test_matches_of_entries_reads_any_number_of_entries_in_two_queries(
    round_, count, django_assert_num_queries
):
    entries = _entries_with_matches(round_, count)
    ids = [entry.pk for entry in entries]

    with django_assert_num_queries(2):
        matches = matches_of_entries(ids)

    assert list(matches) == ids
    for entry in entries:
        kinds = [
            (m.file_number, m.kind, m.distance, m.other_file_number)
            for m in matches[entry.pk]
        ]
        assert kinds == [
            (1, MatchKind.SIMILAR_IMAGE, 6, 2),
            (2, MatchKind.SAME_FILE, 0, 1),
        ]


def test_each_pair_is_shown_from_both_entries(round_):
    [entry] = _entries_with_matches(round_, 1)
    other_id = FileMatch.objects.values_list("other__entry_id", flat=True).first()

    matches = matches_of_entries([other_id, entry.pk, other_id])

    assert list(matches) == [other_id, entry.pk]
    assert [
        (m.file_number, m.other_entry_id, m.kind, m.other_file_number)
        for m in matches[other_id]
    ] == [
        (1, entry.pk, MatchKind.SAME_FILE, 2),
        (2, entry.pk, MatchKind.SIMILAR_IMAGE, 1),
    ]


def test_files_are_numbered_as_the_staff_pages_number_them(round_):
    # A refused file before the matched one still counts: staff see it first.
    earlier = _entry(round_)
    _hashed_file(earlier, sha256="", perceptual_hash="", state=FileState.REJECTED)
    _hashed_file(earlier, sha256="e" * 64, perceptual_hash="", position=1)
    entry = _entry(round_)
    copy = _hashed_file(entry, sha256="e" * 64, perceptual_hash="", position=3)

    find_file_matches(copy.pk)

    [match] = matches_of_entries([entry.pk])[entry.pk]
    assert (match.file_number, match.other_file_number) == (1, 2)
    assert _text([match]) == f"File 1: Same file as {earlier.reference} (file 2)"


def test_no_entries_need_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert matches_of_entries([]) == {}


def test_the_partial_lists_an_entrys_matches(round_):
    earlier_round = make_open_round(
        year=round_.year - 1, title_en="Voices", title_zh_hant="聲音"
    )
    earlier = _entry(earlier_round)
    _hashed_file(earlier, sha256="b" * 64, perceptual_hash="0000000000000000")
    _hashed_file(
        earlier, sha256="c" * 64, perceptual_hash="00000000ffffffff", position=1
    )
    same_round = _entry(round_)
    _hashed_file(same_round, sha256="a" * 64, perceptual_hash="ffffffff00000000")
    entry = _entry(round_)
    _hashed_file(entry, sha256="a" * 64, perceptual_hash="", position=0)
    _hashed_file(entry, sha256="d" * 64, perceptual_hash="00000000fffffffc", position=1)
    for file in entry.files.all():
        find_file_matches(file.pk)

    matches = matches_of_entries([entry.pk])[entry.pk]

    assert _text(matches) == (
        f"File 1: Same file as {same_round.reference} (file 1) "
        f"File 2: Similar image to {earlier.reference} (file 2, 2 bits apart) "
        f"· entered in Voices ({earlier_round.year})"
    )
    with translation.override("zh-hant"):
        assert _text(matches) == (
            f"檔案 1： 與 {same_round.reference}（檔案 1）為同一檔案 "
            f"檔案 2： 與 {earlier.reference}（檔案 2）圖像相似，相差 2 位元 "
            f"· 曾參加聲音（{earlier_round.year}）"
        )
    assert render_to_string(PARTIAL, {"matches": []}).strip() == ""


# Files processed before hashes were taken ---------------------------------------


def _as_before(file):
    """The file as processing left it before perceptual hashes were taken."""
    ArtworkFile.objects.filter(pk=file.pk).update(perceptual_hash="")


def test_the_command_hashes_old_images_and_records_their_matches(round_):
    data = _photo("DSCN0029.jpg")
    first = _ready(_entry(round_), data)
    second = _ready(_entry(round_), data)
    copy = _ready(_entry(round_), _copy("portrait_6.jpg", scale=0.5))
    portrait = _ready(_entry(round_), _photo("portrait_6.jpg"))
    document = stored_file(
        _entry(round_),
        fixtures.pdf_document(),
        name="poem.pdf",
        kind=MediaKind.DOCUMENT,
        content_type="application/pdf",
    )
    document = process_file(document)
    hashes = {file.pk: file.perceptual_hash for file in (first, second, copy, portrait)}
    for file in (first, second, copy, portrait):
        _as_before(file)
    # The portrait's original is gone: its preview is read.
    storage.delete_object(portrait.key)
    assert portrait.derivatives.filter(kind=DerivativeKind.PREVIEW).exists()
    output = io.StringIO()

    call_command("find_duplicates", stdout=output)

    assert output.getvalue().splitlines() == [
        "Images hashed: 4; neither original nor preview readable: 0.",
        "New matches: 1 same file, 1 similar image.",
    ]
    now = dict(ArtworkFile.objects.values_list("pk", "perceptual_hash"))
    # The portrait's from its preview: the same, as both shrink to one thumbnail.
    assert {pk: now[pk] for pk in hashes} == hashes
    assert now[document.pk] == ""
    assert _matches() == [
        (second.pk, first.pk, MatchKind.SAME_FILE, 0),
        (portrait.pk, copy.pk, MatchKind.SIMILAR_IMAGE, 2),
    ]

    again = io.StringIO()
    call_command("find_duplicates", stdout=again)

    assert again.getvalue().splitlines() == [
        "Images hashed: 0; neither original nor preview readable: 0.",
        "New matches: 0 same file, 0 similar image.",
    ]
    assert len(_matches()) == 2


def test_the_command_reports_an_image_it_cannot_read(round_, caplog):
    file = _ready(_entry(round_), _photo("DSCN0029.jpg"))
    _as_before(file)
    storage.delete_object(file.key)
    for derivative in file.derivatives.all():
        storage.delete_object(derivative.key)
    output, errors = io.StringIO(), io.StringIO()

    call_command("find_duplicates", stdout=output, stderr=errors)

    assert output.getvalue().splitlines()[0] == (
        "Images hashed: 0; neither original nor preview readable: 1."
    )
    assert "could not be hashed" in errors.getvalue()
    assert f"File {file.pk}: neither its original nor preview read." in caplog.text
    assert ArtworkFile.objects.get(pk=file.pk).perceptual_hash == ""


def test_all_matches_at_once_equal_those_found_one_file_at_a_time(round_):
    earlier_round = make_open_round(year=round_.year - 1)
    rows = []
    for number in range(12):
        entry = _entry(earlier_round if number % 3 == 0 else round_)
        base = 0x00FF00FF00FF00FF if number % 2 else 0xF0F0F0F0F0F0F0F0
        rows.append(
            _hashed_file(
                entry,
                sha256=f"{number % 4:064x}",
                perceptual_hash=f"{base ^ ((1 << (number % 7)) - 1):016x}",
            )
        )
    record_all_matches()
    at_once = _matches()
    FileMatch.objects.all().delete()

    for file in rows:
        find_file_matches(file.pk)

    assert _matches() == at_once
    assert {kind for _file, _other, kind, _distance in at_once} == {
        MatchKind.SAME_FILE,
        MatchKind.SIMILAR_IMAGE,
    }
    assert all(distance <= THRESHOLD for *_, distance in at_once)
