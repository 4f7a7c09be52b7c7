"""Processing of uploaded images against the suite's S3 server: real photos in,
clean derivatives out, and every bad input refused with a reason."""

import datetime
import hashlib
import io
import struct

import pytest
from django.utils import timezone
from PIL import Image, ImageCms, ImageOps

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions import storage
from submissions.enums import DerivativeKind, FileState
from submissions.media import images
from submissions.media.results import Rejected
from submissions.models import ArtworkFile, Derivative
from submissions.services.processing import (
    CHUNK_SIZE,
    ProcessingUnavailable,
    process_file,
)
from submissions.services.refusals import rejection_message
from tests import processing_fixtures as fixtures
from tests.upload_helpers import stored_file

pytestmark = pytest.mark.django_db

# Markers of metadata blocks in a JPEG: EXIF (with GPS inside), XMP, IPTC
# (Photoshop APP13) and the comment segment.
METADATA_MARKERS = (b"Exif\x00\x00", b"http://ns.adobe.com/xap/", b"Photoshop 3.0")


def _read(key):
    return storage.client().get_object(Bucket=storage.bucket(), Key=key)["Body"].read()


def _state_events(file):
    return list(
        AuditEvent.objects.filter(object_id=str(file.pk), verb=AuditVerb.STATE_CHANGED)
        .order_by("pk")
        .values_list("from_state", "to_state", "reason")
    )


def _upright_size(path):
    with Image.open(path) as source:
        return ImageOps.exif_transpose(source).size


def _segments(data):
    """The markers of a JPEG's header segments, up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    markers = []
    offset = 2
    while True:
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        markers.append((marker, data[offset + 4 : offset + 2 + length]))
        offset += 2 + length


def _assert_clean(data):
    for marker in METADATA_MARKERS:
        assert marker not in data
    for marker, body in _segments(data):
        # Only JFIF (APP0), the sRGB profile (APP2) and the image's own tables:
        # no EXIF/XMP (APP1), IPTC (APP13), Adobe (APP14) or comment (COM).
        assert marker not in (0xE1, 0xED, 0xEE, 0xFE)
        assert marker in (0xE0, 0xE2) or marker < 0xE0
        if marker == 0xE2:
            assert body.startswith(b"ICC_PROFILE\x00")
    with Image.open(io.BytesIO(data)) as image:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
        assert "sRGB" in ImageCms.getProfileDescription(profile)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)  # GPS
        assert {"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"}.isdisjoint(
            image.info
        )
        image.load()
        return image.size


@pytest.mark.parametrize("path", fixtures.real_fixtures(), ids=lambda path: path.name)
def test_every_real_fixture_is_processed_into_clean_derivatives(entry, path):
    data = path.read_bytes()
    file = stored_file(entry, data, name=path.name)

    processed = process_file(file)

    assert processed.state == FileState.READY
    assert processed.reason == ""
    assert processed.sha256 == hashlib.sha256(data).hexdigest()
    assert processed.size == len(data)
    derivatives = {d.kind: d for d in processed.derivatives.all()}
    assert set(derivatives) == {DerivativeKind.THUMB, DerivativeKind.PREVIEW}
    source_size = _upright_size(path)
    for kind, derivative in derivatives.items():
        assert derivative.key == f"derivatives/{file.pk}/{kind}.jpg"
        assert derivative.content_type == "image/jpeg"
        data_out = _read(derivative.key)
        assert derivative.size == len(data_out)
        width, height = _assert_clean(data_out)
        assert (width, height) == (derivative.width, derivative.height)
        assert max(width, height) <= images.EDGES[kind]
        # Same orientation as the upright original.
        assert (width >= height) == (source_size[0] >= source_size[1])
    assert _state_events(file) == [(FileState.PROCESSING, FileState.READY, "")]


def test_exif_orientation_is_applied(entry):
    path = fixtures.REAL_FIXTURES / "portrait_6.jpg"
    with Image.open(path) as stored:
        assert stored.width > stored.height  # stored landscape, shown portrait

    processed = process_file(stored_file(entry, path.read_bytes()))

    for derivative in processed.derivatives.all():
        assert derivative.height > derivative.width
        with Image.open(io.BytesIO(_read(derivative.key))) as image:
            assert image.height > image.width


def test_heic_is_decoded(entry):
    path = fixtures.REAL_FIXTURES / "iphone_13_pro_max.HEIC"

    processed = process_file(stored_file(entry, path.read_bytes(), name=path.name))

    assert processed.state == FileState.READY
    assert processed.content_type == "image/heic"
    preview = processed.derivatives.get(kind=DerivativeKind.PREVIEW)
    assert (preview.width, preview.height) == (1500, 2000)
    thumb = processed.derivatives.get(kind=DerivativeKind.THUMB)
    assert (thumb.width, thumb.height) == (360, 480)
    with Image.open(io.BytesIO(_read(preview.key))) as image:
        # A real photo, not a blank: the decoded pixels vary.
        assert len(image.resize((16, 16)).getcolors(256)) > 20


def test_large_photo_preview_is_2000_on_the_long_edge(entry):
    path = fixtures.REAL_FIXTURES / "HMD_Nokia_8.3_5G.jpg"

    processed = process_file(stored_file(entry, path.read_bytes()))

    preview = processed.derivatives.get(kind=DerivativeKind.PREVIEW)
    assert preview.width == 2000
    assert preview.height == round(1976 * 2000 / 4608)


def test_gps_of_a_camera_photo_does_not_reach_the_derivatives(entry):
    path = fixtures.REAL_FIXTURES / "DSCN0029.jpg"
    with Image.open(path) as original:
        assert original.getexif().get_ifd(0x8825)  # the original has a position

    processed = process_file(stored_file(entry, path.read_bytes()))

    assert processed.derivatives.count() == 2
    for derivative in processed.derivatives.all():
        _assert_clean(_read(derivative.key))


def test_broken_exif_is_processed_cleanly(entry):
    path = fixtures.REAL_FIXTURES / "image01551.jpg"

    processed = process_file(stored_file(entry, path.read_bytes()))

    assert processed.state == FileState.READY
    for derivative in processed.derivatives.all():
        _assert_clean(_read(derivative.key))


def test_transparent_png_named_jpg_is_processed_by_its_real_type(entry):
    processed = process_file(stored_file(entry, fixtures.png_bytes(), name="work.jpg"))

    assert processed.state == FileState.READY
    assert processed.content_type == "image/png"
    thumb = processed.derivatives.get(kind=DerivativeKind.THUMB)
    assert (thumb.width, thumb.height) == (300, 200)
    with Image.open(io.BytesIO(_read(thumb.key))) as image:
        red, green, blue = image.getpixel((150, 100))
        # Half-transparent red over white, not over black.
        assert red > 200 and green > 100 and blue > 100


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (fixtures.zip_archive, "not_an_image"),
        (fixtures.pdf_document, "not_an_image"),
        (fixtures.html_with_script, "not_an_image"),
        (fixtures.svg_with_script, "not_an_image"),
        (lambda: b"", "empty"),
        (fixtures.truncated_jpeg, "corrupt"),
        (fixtures.png_with_giant_header, "too_many_pixels"),
    ],
    ids=["zip", "pdf", "html", "svg", "empty", "truncated-jpeg", "giant-png"],
)
def test_bad_input_is_rejected_and_the_original_deleted(entry, make, reason):
    file = stored_file(entry, make(), name="holiday.jpg")

    processed = process_file(file)

    assert processed.state == FileState.REJECTED
    assert processed.reason == reason
    assert processed.sha256 == ""
    assert storage.head_object(file.key) is None
    assert not Derivative.objects.filter(artwork_file=file).exists()
    assert _state_events(file) == [(FileState.PROCESSING, FileState.REJECTED, reason)]


def test_giant_png_is_refused_from_its_header_alone(tmp_path):
    data = fixtures.png_with_giant_header()
    assert len(data) < 100
    # Width and height as the IHDR chunk (right after the signature) declares them.
    assert struct.unpack(">4sII", data[12:24]) == (b"IHDR", 50_000, 50_000)
    path = tmp_path / "giant.png"
    path.write_bytes(data)

    with pytest.raises(Rejected) as refusal:
        images.make_derivatives(path)

    assert refusal.value.code == "too_many_pixels"


def test_image_over_the_limit_but_under_pillows_error_is_refused(entry):
    # 12,000 × 10,000 = 120 megapixels: above our limit, below twice it, where
    # Pillow merely warns.
    data = fixtures.png_with_giant_header(12_000, 10_000)

    processed = process_file(stored_file(entry, data))

    assert processed.reason == "too_many_pixels"


def test_file_larger_than_the_category_allows_is_rejected(entry):
    category = entry.category
    category.max_image_bytes = 1000
    category.save(update_fields=["max_image_bytes"])
    data = (fixtures.REAL_FIXTURES / "BlueSquare.jpg").read_bytes()
    file = stored_file(entry, data)

    processed = process_file(file)

    assert (processed.state, processed.reason) == (FileState.REJECTED, "too_large")
    assert storage.head_object(file.key) is None


def test_missing_object_is_rejected(entry):
    file = stored_file(entry, fixtures.jpeg_bytes())
    storage.delete_object(file.key)

    processed = process_file(file)

    assert (processed.state, processed.reason) == (FileState.REJECTED, "missing")


def test_processing_twice_leaves_one_set_and_one_state_change(entry):
    data = (fixtures.REAL_FIXTURES / "portrait_6.jpg").read_bytes()
    file = stored_file(entry, data)

    first = process_file(file)
    keys = sorted(first.derivatives.values_list("key", flat=True))
    second = process_file(file)

    assert second.state == FileState.READY
    assert sorted(second.derivatives.values_list("key", flat=True)) == keys
    assert Derivative.objects.filter(artwork_file=file).count() == 2
    assert _state_events(file) == [(FileState.PROCESSING, FileState.READY, "")]
    listed = [
        item["Key"]
        for page in storage.object_pages(prefix=f"derivatives/{file.pk}/")
        for item in page
    ]
    assert sorted(listed) == keys


def test_rerun_after_a_crash_before_the_state_change_reuses_the_derivatives(entry):
    # A worker that died after writing the derivatives but before marking the
    # file ready: the redelivered message (same run) overwrites the same keys
    # and rows and makes the one state change.
    file = stored_file(entry, fixtures.jpeg_bytes())
    process_file(file, run="task-1")
    keys = sorted(Derivative.objects.filter(artwork_file=file).values_list("key"))
    ArtworkFile.objects.filter(pk=file.pk).update(state=FileState.PROCESSING)

    processed = process_file(file, run="task-1")

    assert processed.state == FileState.READY
    assert sorted(processed.derivatives.values_list("key")) == keys
    assert processed.attempts == 2


def test_a_duplicate_run_waits_while_the_holding_run_is_within_its_limit(
    entry, settings
):
    file = stored_file(entry, fixtures.jpeg_bytes())
    ArtworkFile.objects.filter(pk=file.pk).update(
        state=FileState.PROCESSING,
        processing_run="task-1",
        processing_started_at=timezone.now(),
    )

    untouched = process_file(file, run="task-2")

    assert (untouched.state, untouched.processing_run) == (
        FileState.PROCESSING,
        "task-1",
    )
    assert not untouched.derivatives.exists()
    # Once the holding run is past its hard time limit it is dead: take over.
    limit = settings.PROCESSING_TIME_LIMITS["image"]
    ArtworkFile.objects.filter(pk=file.pk).update(
        processing_started_at=timezone.now()
        - datetime.timedelta(seconds=limit + settings.PROCESSING_GRACE_SECONDS + 1)
    )

    taken = process_file(file, run="task-2")

    assert (taken.state, taken.processing_run) == (FileState.READY, "task-2")
    assert _state_events(file) == [(FileState.PROCESSING, FileState.READY, "")]


def test_sha256_is_computed_over_every_chunk(entry):
    # Larger than one read chunk, so the digest spans several.
    data = (fixtures.REAL_FIXTURES / "HMD_Nokia_8.3_5G.jpg").read_bytes()
    assert len(data) > 2 * CHUNK_SIZE

    processed = process_file(stored_file(entry, data))

    assert processed.sha256 == hashlib.sha256(data).hexdigest()
    assert processed.size == len(data)


def test_files_not_uploaded_or_already_final_are_left_unchanged(entry):
    waiting = stored_file(entry, fixtures.jpeg_bytes(), state=FileState.AWAITING_UPLOAD)
    rejected = stored_file(entry, fixtures.jpeg_bytes(), state=FileState.REJECTED)

    for file in (waiting, rejected):
        processed = process_file(file)
        assert processed.state == file.state
        assert processed.sha256 == ""
        assert storage.head_object(file.key) is not None
        assert _state_events(file) == []


def test_unreachable_storage_raises_a_retryable_error_and_keeps_the_state(
    entry, settings
):
    file = stored_file(entry, fixtures.jpeg_bytes())
    stores = dict(settings.STORAGES)
    stores["default"] = {
        **stores["default"],
        "OPTIONS": {
            **stores["default"]["OPTIONS"],
            "endpoint_url": "http://127.0.0.1:9",
        },
    }
    settings.STORAGES = stores

    with pytest.raises(ProcessingUnavailable):
        process_file(file)

    file.refresh_from_db()
    assert (file.state, file.reason) == (FileState.FAILED, "storage_unavailable")
    assert _state_events(file) == [
        (FileState.PROCESSING, FileState.FAILED, "storage_unavailable")
    ]


def test_every_rejection_reason_has_its_own_message():
    codes = [
        "missing",
        "empty",
        "too_large",
        "kind_not_accepted",
        "not_an_image",
        "not_a_video",
        "not_audio",
        "not_a_pdf",
        "corrupt",
        "encrypted",
        "too_many_pixels",
        "size_mismatch",
        "storage_unavailable",
        "timed_out",
        "internal_error",
    ]
    messages = {str(rejection_message(code)) for code in codes}
    assert len(messages) == len(codes)
    assert str(rejection_message("not_an_image")).startswith(
        "This file is not an image"
    )
    assert str(rejection_message("unheard_of")) == "The file could not be accepted."


@pytest.mark.parametrize(
    ("make", "sniffed", "size"),
    [
        (fixtures.animated_gif, "image/gif", (120, 80)),
        (fixtures.webp_bytes, "image/webp", (480, 270)),
        (fixtures.cmyk_jpeg, "image/jpeg", (200, 100)),
        (fixtures.greyscale_16bit_tiff, "image/tiff", (100, 50)),
    ],
    ids=["gif", "webp", "cmyk-jpeg", "16bit-tiff"],
)
def test_other_image_formats_are_processed(entry, make, sniffed, size):
    processed = process_file(stored_file(entry, make()))

    assert (processed.state, processed.content_type) == (FileState.READY, sniffed)
    thumb = processed.derivatives.get(kind=DerivativeKind.THUMB)
    assert (thumb.width, thumb.height) == size
    _assert_clean(_read(thumb.key))


def test_gif_gives_its_first_frame(entry):
    processed = process_file(stored_file(entry, fixtures.animated_gif()))

    thumb = processed.derivatives.get(kind=DerivativeKind.THUMB)
    with Image.open(io.BytesIO(_read(thumb.key))) as image:
        red, green, blue = image.getpixel((60, 40))
    assert red > 200 and green < 60 and blue < 60


def test_colours_are_converted_to_srgb(entry):
    # Display P3 (200, 100, 50) is sRGB (215, 93, 31) by littleCMS: merely
    # relabelling the pixels would leave them at (200, 100, 50).
    processed = process_file(stored_file(entry, fixtures.display_p3_png()))

    thumb = processed.derivatives.get(kind=DerivativeKind.THUMB)
    with Image.open(io.BytesIO(_read(thumb.key))) as image:
        pixel = image.getpixel((32, 32))
    assert all(
        abs(got - want) <= 3 for got, want in zip(pixel, (215, 93, 31), strict=True)
    )


def test_formats_decoded_whole_have_a_lower_pixel_limit(tmp_path, settings):
    # 60 megapixels: a JPEG is decoded at a quarter of that, a PNG would be whole.
    path = tmp_path / "big.png"
    path.write_bytes(fixtures.png_with_giant_header(8_000, 7_500))

    with pytest.raises(Rejected) as refusal:
        images.make_derivatives(path)

    assert refusal.value.code == "too_many_pixels"
    assert images.max_pixels("JPEG") == settings.IMAGE_MAX_PIXELS
    assert images.max_pixels("PNG") == settings.IMAGE_MAX_PIXELS_FULL_DECODE
    assert "100 megapixels as a JPEG, or 50 megapixels" in str(
        rejection_message("too_many_pixels")
    )


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ((4000, 3000), (2000, 1500)),
        ((3000, 4000), (1500, 2000)),
        ((900, 600), (2000, 1333)),
    ],
)
def test_jpeg_draft_box_keeps_the_photos_proportions(size, box):
    # A square box would keep a 4:3 photo at full size (4000 // 2000 but
    # 3000 // 2000 = 1); in proportion libjpeg may decode it at half size.
    assert images._draft_box(size, 2000) == box


def test_a_12_megapixel_photo_is_decoded_at_half_size(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (4000, 3000), (40, 90, 160)).save(path, quality=90)

    with Image.open(path) as image:
        image.draft("RGB", images._draft_box(image.size, 2000))
        assert image.size == (2000, 1500)
    processed = images.make_derivatives(path)
    assert (processed.width, processed.height) == (4000, 3000)
    assert [(r.width, r.height) for r in processed.derivatives] == [
        (2000, 1500),
        (480, 360),
    ]
