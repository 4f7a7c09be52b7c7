import io
import json
import os
import subprocess
import sys
import time
import zlib

import pikepdf
import pytest
from PIL import Image

from submissions.enums import DerivativeKind
from submissions.media import documents
from submissions.media.results import Rejected
from tests import document_fixtures


def _process(tmp_path, data):
    tmp_path.mkdir(exist_ok=True)
    original = tmp_path / "original.pdf"
    original.write_bytes(data)
    workdir = tmp_path / "work"
    workdir.mkdir()
    return documents.make_derivatives(original, workdir)


def _of_kind(processed, kind):
    return [r for r in processed.derivatives if r.kind == kind]


def _judge_copy(processed):
    (document,) = _of_kind(processed, DerivativeKind.DOCUMENT)
    assert document.content_type == "application/pdf"
    assert document.extension == "pdf"
    return document.path


def _all_dictionaries(pdf):
    """The trailer and every dictionary and stream of the file, direct ones
    nested in others included."""

    def within(item):
        if isinstance(item, pikepdf.Array):
            nested = list(item)
        else:
            yield item
            nested = [item[key] for key in item]
        for child in nested:
            container = isinstance(child, pikepdf.Array | pikepdf.Dictionary)
            if container and not child.is_indirect:
                yield from within(child)

    for obj in (pdf.trailer, *pdf.objects):
        if isinstance(obj, pikepdf.Array | pikepdf.Dictionary | pikepdf.Stream):
            yield from within(obj)


def _keys_anywhere(pdf):
    return {key for item in _all_dictionaries(pdf) for key in item}


def _uncompressed(path):
    """The file's bytes with every stream decompressed, to search in."""
    buffer = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(
            buffer,
            qdf=True,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    return buffer.getvalue()


def _open_jpeg(derivative):
    image = Image.open(io.BytesIO(derivative.data))
    assert image.format == "JPEG"
    return image


def _pixel_at(derivative, x_fraction, y_fraction):
    image = _open_jpeg(derivative).convert("RGB")
    return image.getpixel(
        (int(image.width * x_fraction), int(image.height * y_fraction))
    )


def test_judge_copy_has_no_metadata(tmp_path):
    original = document_fixtures.metadata_pdf()
    processed = _process(tmp_path, original)
    judge = _judge_copy(processed)
    with pikepdf.open(judge) as pdf:
        assert "/Info" not in pdf.trailer
        assert not pdf.is_encrypted
        keys = _keys_anywhere(pdf)
    for key in ("/Metadata", "/PieceInfo", "/LastModified", "/Author", "/Producer"):
        assert key not in keys
    assert {"/Info", "/Metadata", "/PieceInfo", "JPEG metadata"} <= set(
        processed.details["removed"]
    )
    raw = (tmp_path / "work" / "judge-copy.pdf").read_bytes()
    for data in (raw, _uncompressed(judge)):
        for secret in (
            document_fixtures.AUTHOR,
            document_fixtures.CREATOR_TOOL,
            document_fixtures.PRODUCER,
            document_fixtures.TITLE,
        ):
            assert secret.encode() not in data
        assert document_fixtures.GPS_MARKER not in data
        assert b"xpacket" not in data
        assert b"pikepdf" not in data
    # The search itself works: the original, decompressed, holds the author.
    (tmp_path / "original-copy.pdf").write_bytes(original)
    uncompressed_original = _uncompressed(tmp_path / "original-copy.pdf")
    assert document_fixtures.AUTHOR.encode() in uncompressed_original
    assert document_fixtures.GPS_MARKER in uncompressed_original


def test_judge_copy_keeps_the_pages(tmp_path):
    original_bytes = document_fixtures.metadata_pdf()
    processed = _process(tmp_path, original_bytes)
    assert processed.page_count == 3
    with (
        pikepdf.open(io.BytesIO(original_bytes)) as original,
        pikepdf.open(_judge_copy(processed)) as judge,
    ):
        assert len(judge.pages) == 3
        for before, after in zip(original.pages, judge.pages, strict=True):
            assert list(after.mediabox) == list(before.mediabox)
            assert after.obj.Contents.read_bytes() == before.obj.Contents.read_bytes()
        # The photo keeps every pixel; only its EXIF and comment are gone.
        photo_before = original.pages[0].Resources.XObject.Im1
        photo_after = judge.pages[0].Resources.XObject.Im1
        assert b"Exif" in photo_before.read_raw_bytes()
        assert b"Exif" not in photo_after.read_raw_bytes()
        assert "/Metadata" not in photo_after
        pixels_before = pikepdf.PdfImage(photo_before).as_pil_image()
        pixels_after = pikepdf.PdfImage(photo_after).as_pil_image()
        assert pixels_after.tobytes() == pixels_before.tobytes()
        # The sticky note stays, without its author and date.
        (note,) = judge.pages[0].Annots
        assert note.Contents == "A note"
        assert "/T" not in note
        assert "/M" not in note
        assert judge.trailer.ID[0] != original.trailer.ID[0]
        assert judge.trailer.ID[1] != original.trailer.ID[1]


def test_judge_copy_is_the_same_for_the_same_original(tmp_path):
    """Nothing of the moment or place of processing (time, file names) goes into
    the copy, its /ID included."""
    data = document_fixtures.metadata_pdf()
    first = _process(tmp_path / "first", data)
    second = _process(tmp_path / "second", data)
    with open(_judge_copy(first), "rb") as one, open(_judge_copy(second), "rb") as two:
        assert one.read() == two.read()


def test_page_images(tmp_path):
    processed = _process(tmp_path, document_fixtures.metadata_pdf())
    pages = _of_kind(processed, DerivativeKind.PAGE)
    assert [page.index for page in pages] == [1, 2, 3]
    assert processed.details["pages_rendered"] == 3
    assert processed.details["pdf_version"] == "1.3"
    for page in pages:
        image = _open_jpeg(page)
        assert max(image.size) == 2000
        assert (page.width, page.height) == image.size
        assert not image.getexif()
        assert "exif" not in image.info
        assert "comment" not in image.info
    assert pages[0].data != pages[1].data
    # The first page's block is red where the second page's is blue.
    red, _green, blue = _pixel_at(pages[0], 0.5, 0.3)
    assert red > 180 and blue < 80
    red, _green, blue = _pixel_at(pages[1], 0.5, 0.3)
    assert blue > 180 and red < 80
    (thumb,) = _of_kind(processed, DerivativeKind.THUMB)
    assert thumb.index == 0
    image = _open_jpeg(thumb)
    assert max(image.size) == 480
    assert not image.getexif()
    red, _green, blue = _pixel_at(thumb, 0.5, 0.3)
    assert red > 180 and blue < 80


def test_active_content_is_removed(tmp_path):
    processed = _process(tmp_path, document_fixtures.active_content_pdf())
    judge = _judge_copy(processed)
    with pikepdf.open(judge) as pdf:
        assert len(pdf.pages) == 2
        names = pdf.Root.get("/Names", pikepdf.Dictionary())
        assert "/JavaScript" not in names
        assert "/EmbeddedFiles" not in names
        keys = _keys_anywhere(pdf)
        for key in ("/OpenAction", "/AA", "/JS", "/EF"):
            assert key not in keys
        annotations = list(pdf.pages[0].Annots)
        subtypes = [annotation.Subtype for annotation in annotations]
        assert subtypes == ["/Link", "/Link"]
        launch, uri = annotations
        assert "/A" not in launch
        assert uri.A.S == "/URI"
        assert uri.A.URI == "https://example.org/"
        for item in _all_dictionaries(pdf):
            assert item.get("/S") not in ("/JavaScript", "/Launch")
            assert item.get("/Type") != "/EmbeddedFile"
    data = _uncompressed(judge)
    assert b"secret attachment" not in data
    assert b"app.alert" not in data
    assert b"cmd.exe" not in data
    assert {"/JavaScript", "/EmbeddedFiles", "/OpenAction", "/FileAttachment"} <= set(
        processed.details["removed"]
    )


def test_encrypted_pdf_is_rejected(tmp_path):
    with pytest.raises(Rejected) as rejection:
        _process(tmp_path, document_fixtures.encrypted_pdf())
    assert rejection.value.code == "encrypted"


def test_owner_password_pdf_is_copied_without_encryption(tmp_path):
    processed = _process(tmp_path, document_fixtures.owner_password_pdf())
    assert processed.page_count == 2
    with pikepdf.open(_judge_copy(processed)) as pdf:
        assert not pdf.is_encrypted
        assert "/Encrypt" not in pdf.trailer
        assert len(pdf.pages) == 2
    assert len(_of_kind(processed, DerivativeKind.PAGE)) == 2


def test_truncated_pdf_is_rejected(tmp_path):
    with pytest.raises(Rejected) as rejection:
        _process(tmp_path, document_fixtures.truncated_pdf())
    assert rejection.value.code == "corrupt"


def test_pdf_missing_only_its_cross_reference_table_is_recovered(tmp_path):
    data = document_fixtures.plain_pdf(pages=3)
    processed = _process(tmp_path, data[: data.rindex(b"xref")])
    assert processed.page_count == 3
    assert len(_of_kind(processed, DerivativeKind.PAGE)) == 3
    with pikepdf.open(_judge_copy(processed)) as pdf:
        assert len(pdf.pages) == 3


def test_pdf_without_cross_reference_or_size_is_copied_so_that_it_reopens(tmp_path):
    data = document_fixtures.trailer_without_size_pdf()
    # The trap is real: readers open it, and it has no /Size for a copy to keep.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 2
        assert "/Size" not in pdf.trailer
    original = tmp_path / "malformed.pdf"
    original.write_bytes(data)
    rendered = subprocess.run(
        ["pdftoppm", "-png", "-r", "10", str(original), str(tmp_path / "shown")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert rendered.returncode == 0
    assert len(list(tmp_path.glob("shown-*.png"))) == 2

    processed = _process(tmp_path / "processed", data)

    assert processed.page_count == 2
    assert [page.index for page in _of_kind(processed, DerivativeKind.PAGE)] == [1, 2]
    with pikepdf.open(_judge_copy(processed)) as pdf:
        assert len(pdf.pages) == 2
        assert int(pdf.trailer.Size) > 2


def test_damaged_pdf_whose_trailer_survived_is_taken_as_readers_show_it(tmp_path):
    # Offsets shifted (the cross-reference table is not where it is said to
    # be) and a reference to an object that does not exist, as sloppy editors
    # leave them: nothing of the pages is lost.
    data = document_fixtures.plain_pdf(pages=2).replace(
        b"/Type /Catalog", b"/StructTreeRoot 99 0 R /Type /Catalog", 1
    )
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.get_warnings()
        assert any(obj is None for obj in pdf.objects)

    processed = _process(tmp_path, data)

    assert processed.page_count == 2
    assert len(_of_kind(processed, DerivativeKind.PAGE)) == 2


def test_not_a_pdf_is_rejected(tmp_path):
    with pytest.raises(Rejected) as rejection:
        _process(tmp_path, b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert rejection.value.code == "corrupt"


def test_pdf_without_pages_is_rejected(tmp_path):
    with pytest.raises(Rejected) as rejection:
        _process(tmp_path, document_fixtures.empty_pdf())
    assert rejection.value.code == "empty"


def test_giant_page_is_rendered_within_bounds(tmp_path):
    started = time.monotonic()
    processed = _process(tmp_path, document_fixtures.giant_pdf())
    assert time.monotonic() - started < 10
    assert processed.page_count == 1
    (page,) = _of_kind(processed, DerivativeKind.PAGE)
    assert _open_jpeg(page).size == (2000, 2000)
    (thumb,) = _of_kind(processed, DerivativeKind.THUMB)
    assert _open_jpeg(thumb).size == (480, 480)
    # The intermediate PNG was bounded too, not only the JPEG made from it.
    (png,) = (tmp_path / "work").glob("page-*.png")
    with Image.open(png) as image:
        assert image.size == (2000, 2000)


def test_only_the_first_pages_are_rendered(tmp_path):
    processed = _process(tmp_path, document_fixtures.ten_page_pdf())
    assert processed.page_count == 10
    assert processed.details["pages_rendered"] == 3
    pages = _of_kind(processed, DerivativeKind.PAGE)
    assert [page.index for page in pages] == [1, 2, 3]
    assert len(_of_kind(processed, DerivativeKind.THUMB)) == 1
    with pikepdf.open(_judge_copy(processed)) as pdf:
        assert len(pdf.pages) == 10


# Filter chains a photo's JPEG may be wrapped in before its /DCTDecode, in the
# order a reader undoes them; the first is the bare JPEG.
PHOTO_CHAINS = [
    (),
    ("/FlateDecode",),
    ("/ASCIIHexDecode",),
    ("/ASCII85Decode",),
    ("/RunLengthDecode",),
    ("/LZWDecode",),
    ("/ASCII85Decode", "/FlateDecode"),
    ("/FlateDecode", "/ASCIIHexDecode"),
    ("/ASCIIHexDecode", "/LZWDecode", "/RunLengthDecode"),
    ("/RunLengthDecode", "/ASCII85Decode", "/LZWDecode", "/FlateDecode"),
]
# What exiftool must not find in a judge copy, nor in any image in it.
PHOTO_SECRETS = (
    "GPS",
    document_fixtures.AUTHOR,
    document_fixtures.EMAIL,
    "PhoneModel",
)


def _exiftool(path, *options):
    """Every tag exiftool reads in the file at ``path``, as JSON text."""
    result = subprocess.run(
        ["exiftool", "-json", "-a", "-G1", *options, str(path)],
        capture_output=True,
        timeout=60,
        check=True,
        text=True,
    )
    return json.dumps(json.loads(result.stdout))


def _what_exiftool_reads(pdf_path, workdir):
    """What exiftool reads in the PDF with its embedded images, and in each
    image poppler's pdfimages takes out of it as stored (a JPEG as a .jpg)."""
    workdir.mkdir()
    subprocess.run(
        ["pdfimages", "-all", str(pdf_path), str(workdir / "image")],
        capture_output=True,
        timeout=60,
        check=True,
    )
    images = sorted(workdir.iterdir())
    assert images
    return [
        _exiftool(pdf_path, "-ee"),
        *(_exiftool(image) for image in images),
        # The comment of a JPEG 2000 codestream, which exiftool does not show.
        *(
            document_fixtures.PHOTO_COMMENT.decode()
            for image in images
            if document_fixtures.PHOTO_COMMENT in image.read_bytes()
        ),
    ]


def _processed_hiding(tmp_path, data, secrets):
    """Process ``data`` once exiftool is seen to read each of ``secrets`` in it (the
    trap is real), and check that it reads none of them in the judge copy."""
    original = tmp_path / "photo.pdf"
    original.write_bytes(data)
    found = " ".join(_what_exiftool_reads(original, tmp_path / "original-images"))
    for secret in secrets:
        assert secret in found

    processed = _process(tmp_path / "processed", data)

    for read in _what_exiftool_reads(_judge_copy(processed), tmp_path / "copy-images"):
        for secret in secrets:
            assert secret not in read
    return processed


def _page_shows_the_photo(processed):
    """The page image, drawn by pdftoppm from the copy, shows the photo where it
    stands: from 200 to 400 points across and 150 to 300 up an A4 page."""
    (page,) = _of_kind(processed, DerivativeKind.PAGE)
    shown = _pixel_at(page, 300 / 595, 1 - 225 / 842)
    assert shown == pytest.approx(document_fixtures.PHOTO_COLOUR, abs=8)
    return page


@pytest.mark.parametrize(
    "chain", PHOTO_CHAINS, ids=lambda chain: "+".join(chain) or "bare"
)
def test_photo_behind_any_filter_chain_loses_its_exif_and_still_shows(tmp_path, chain):
    data = document_fixtures.photo_behind_filters_pdf(list(chain))

    processed = _processed_hiding(tmp_path, data, PHOTO_SECRETS)

    assert "JPEG metadata" in processed.details["removed"]
    with pikepdf.open(_judge_copy(processed)) as pdf:
        photo = pikepdf.PdfImage(pdf.pages[0].Resources.XObject.Im1).as_pil_image()
        assert photo.size == document_fixtures.PHOTO_SIZE
        assert photo.convert("RGB").getpixel((80, 60)) == pytest.approx(
            document_fixtures.PHOTO_COLOUR, abs=3
        )
    _page_shows_the_photo(processed)


@pytest.mark.parametrize(
    "chain",
    [(), ("/FlateDecode",), ("/ASCII85Decode", "/LZWDecode")],
    ids=lambda chain: "+".join(chain) or "bare",
)
def test_jpeg_2000_photo_loses_its_metadata_and_still_shows(tmp_path, chain):
    data = document_fixtures.photo_behind_filters_pdf(
        list(chain), photo_filter="/JPXDecode"
    )

    processed = _processed_hiding(tmp_path, data, (*PHOTO_SECRETS, "Scanned by"))

    assert "JPEG 2000 metadata" in processed.details["removed"]
    _page_shows_the_photo(processed)


@pytest.mark.parametrize(
    "filters",
    [("/AHx", "/DCT"), ("/A85", "/DCT"), ("/A85", "/Fl", "/DCT")],
    ids=lambda filters: "+".join(filters),
)
def test_inline_photo_loses_its_exif_and_still_shows(tmp_path, filters):
    data = document_fixtures.inline_photo_pdf(filters)

    processed = _processed_hiding(tmp_path, data, PHOTO_SECRETS)

    assert "JPEG metadata" in processed.details["removed"]
    with pikepdf.open(_judge_copy(processed)) as pdf:
        (image,) = [
            item.iimage
            for item in pikepdf.parse_content_stream(pdf.pages[0])
            if isinstance(item, pikepdf.ContentStreamInlineImage)
        ]
        assert image.size == document_fixtures.PHOTO_SIZE
    page = _page_shows_the_photo(processed)
    # The page's other marks are still drawn: the red block above the photo.
    red, _green, blue = _pixel_at(page, 0.5, 0.3)
    assert red > 180 and blue < 80


def test_large_photo_behind_lzw_keeps_every_pixel(tmp_path):
    # LZW may grow data 4,000 times: a megabyte is checked by counting.
    size = (1200, 900)
    jpeg = document_fixtures.tracked_jpeg(size=size, noise=True)
    assert len(jpeg) > 500_000
    data = document_fixtures.photo_behind_filters_pdf(
        ["/LZWDecode"], jpeg=jpeg, size=size
    )

    processed = _process(tmp_path, data)

    with pikepdf.open(_judge_copy(processed)) as pdf:
        photo = pdf.pages[0].Resources.XObject.Im1
        assert photo.Filter == "/DCTDecode"
        assert photo.read_raw_bytes() == documents._stripped_jpeg(jpeg)
    with Image.open(io.BytesIO(jpeg)) as original:
        assert original.size == size


def test_photo_keeps_the_decode_parameters_of_its_own_filter(tmp_path):
    # The Flate parameters are an indirect object, the JPEG's a direct one.
    data = document_fixtures.photo_behind_filters_pdf(
        ["/FlateDecode"], decode_parms=[{"/Predictor": 1}, {"/ColorTransform": 1}]
    )

    processed = _process(tmp_path, data)

    with pikepdf.open(_judge_copy(processed)) as pdf:
        photo = pdf.pages[0].Resources.XObject.Im1
        assert photo.Filter == "/DCTDecode"
        assert photo.DecodeParms == pikepdf.Dictionary(ColorTransform=1)
        assert b"Exif" not in photo.read_raw_bytes()
        pixels = pikepdf.PdfImage(photo).as_pil_image().convert("RGB")
        assert pixels.getpixel((80, 60)) == pytest.approx(
            document_fixtures.PHOTO_COLOUR, abs=3
        )


# Run in a fresh interpreter, so that its peak memory is this PDF's alone.
# The peak is read from VmHWM, which counts this process's own memory only:
# getrusage's ru_maxrss keeps the parent's peak across fork and exec, and the
# test process is large by the end of the suite.
PEAK_MEMORY_OF_PROCESSING = """
import re, sys
import django
django.setup()
from submissions.media import documents
processed = documents.make_derivatives(sys.argv[1], sys.argv[2])
with open("/proc/self/status") as status:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
print(",".join(processed.details["removed"]))
"""


def test_photo_that_would_inflate_beyond_any_camera_is_dropped_uninflated(
    tmp_path,
):
    data = document_fixtures.photo_behind_filters_pdf([])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        photo = pdf.pages[0].Resources.XObject.Im1
        photo.write(
            document_fixtures.jpeg_bomb(megabytes=400),
            filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode]),
        )
        pdf.save(tmp_path / "bomb.pdf")
    (tmp_path / "work").mkdir()

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PEAK_MEMORY_OF_PROCESSING,
            str(tmp_path / "bomb.pdf"),
            str(tmp_path / "work"),
        ],
        capture_output=True,
        timeout=120,
        check=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "artsprize.settings.test"},
    )

    peak_kilobytes, removed = result.stdout.splitlines()[-2:]
    # Inflated, the 400 MB would have been held in memory at least once.
    assert int(peak_kilobytes) < 300 * 1024
    assert "JPEG metadata" in removed.split(",")
    with pikepdf.open(tmp_path / "work" / "judge-copy.pdf") as pdf:
        assert pdf.pages[0].Resources.XObject.Im1.read_raw_bytes() == b""


def test_jpeg_with_unreadable_markers_is_dropped():
    assert documents._stripped_jpeg(b"\xff\xd8\x00\x01garbage") is None
    assert documents._stripped_jpeg(b"not a jpeg") is None
    jpeg = document_fixtures.exif_jpeg()
    stripped = documents._stripped_jpeg(jpeg)
    assert b"Exif" in jpeg and b"Exif" not in stripped
    assert document_fixtures.GPS_MARKER not in stripped
    with Image.open(io.BytesIO(stripped)) as image, Image.open(io.BytesIO(jpeg)) as raw:
        assert image.tobytes() == raw.tobytes()


def test_jpeg_2000_with_unreadable_boxes_is_dropped():
    jp2 = document_fixtures.tracked_jp2()
    assert documents._stripped_jpx(b"not a jpeg 2000") is None
    assert documents._stripped_jpx(jp2[:40]) is None
    stripped = documents._stripped_jpx(jp2)
    for secret in (b"xml ", b"uuid", document_fixtures.PHOTO_COMMENT, b"GPS"):
        assert secret not in stripped
    with Image.open(io.BytesIO(stripped)) as image, Image.open(io.BytesIO(jp2)) as raw:
        assert image.tobytes() == raw.tobytes()
    # A bare codestream loses its comment too.
    codestream = jp2[jp2.index(b"jp2c") + 4 :]
    assert document_fixtures.PHOTO_COMMENT in codestream
    assert document_fixtures.PHOTO_COMMENT not in documents._stripped_jpx(codestream)


def _lzw_from_tiff(pixels):
    """LZW data as libtiff writes it (codes growing to twelve bits, with the
    early change PDF readers expect by default), from one strip of a TIFF."""
    buffer = io.BytesIO()
    pixels.save(buffer, "TIFF", compression="tiff_lzw", strip_size=2**30)
    with Image.open(buffer) as tiff:
        ((offset,), (length,)) = tiff.tag_v2[273], tiff.tag_v2[279]
    return buffer.getvalue()[offset : offset + length]


def _qpdf_decoded_length(data, name):
    with pikepdf.new() as pdf:
        stream = pikepdf.Stream(pdf, data)
        stream.Filter = pikepdf.Name(name)
        return len(
            stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized)
        )


def test_decoded_lengths_are_counted_as_qpdf_decodes():
    jpeg = document_fixtures.tracked_jpeg()
    noise = Image.effect_noise((300, 200), 60).convert("RGB")
    samples = {
        "/FlateDecode": [zlib.compress(jpeg), zlib.compress(bytes(100_000))],
        "/LZWDecode": [
            document_fixtures.ENCODERS["/LZWDecode"](jpeg),
            _lzw_from_tiff(noise),
            _lzw_from_tiff(Image.new("RGB", (400, 400), (9, 9, 9))),
        ],
        "/RunLengthDecode": [
            document_fixtures.ENCODERS["/RunLengthDecode"](jpeg),
            b"\x81a\x00b\xffc\x80",
        ],
    }
    for name, datas in samples.items():
        _growth, count = documents.WRAPPING_FILTERS[name]
        for data in datas:
            assert count(data, None) == _qpdf_decoded_length(data, name), name
    for name in ("/ASCII85Decode", "/ASCIIHexDecode"):
        data = document_fixtures.ENCODERS[name](jpeg + bytes(400))
        _growth, count = documents.WRAPPING_FILTERS[name]
        assert len(jpeg) + 400 <= count(data, None) <= len(jpeg) + 408
