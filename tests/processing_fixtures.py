"""Generated bad inputs for the processing tests, built from bytes so that each
one is exactly the trap it names."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image

from tests.once import once


def _real_fixtures_folder():
    """shared/fixtures/real beside the checkout, whether the checkout is the main
    one or a worktree in a folder of its own."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "fixtures" / "real"
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"


REAL_FIXTURES = _real_fixtures_folder()


def real_fixtures():
    """Every real-world sample file (not the notes about their sources)."""
    return sorted(path for path in REAL_FIXTURES.iterdir() if path.suffix != ".md")


@once
def zip_archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"not really a photo" * 50)
    return buffer.getvalue()


@once
def pdf_document():
    """A minimal, valid one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


@once
def html_with_script():
    return (
        b"<!DOCTYPE html>\n<html><head><title>x</title></head>"
        b"<body><script>fetch('/entries/').then(r => r.text())</script></body></html>\n"
    )


@once
def svg_with_script():
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script>"
        b'<rect width="10" height="10"/></svg>\n'
    )


@once
def jpeg_bytes(size=(800, 600)):
    image = Image.new("RGB", size)
    # A gradient, so that the encoded data is not one short run.
    image.putdata(
        [
            (x % 256, y % 256, (x + y) % 256)
            for y in range(size[1])
            for x in range(size[0])
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@once
def truncated_jpeg():
    """A JPEG cut off in the middle of its entropy-coded data."""
    data = jpeg_bytes()
    return data[: len(data) // 2]


@once
def png_with_giant_header(width=50_000, height=50_000):
    """A tiny PNG whose IHDR declares ``width`` × ``height`` RGB pixels: a
    decompression bomb's announcement, without the bomb."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


@once
def png_bytes(size=(300, 200)):
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


@once
def animated_gif():
    """Two frames: a red first frame, a blue second one."""
    frames = [Image.new("P", (120, 80), 0), Image.new("P", (120, 80), 1)]
    palette = [255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 6)
    for frame in frames:
        frame.putpalette(palette)
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0
    )
    return buffer.getvalue()


@once
def webp_bytes(size=(640, 360)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


@once
def cmyk_jpeg(size=(200, 100)):
    buffer = io.BytesIO()
    Image.new("CMYK", size, (0, 255, 255, 0)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@once
def greyscale_16bit_tiff(size=(100, 50)):
    image = Image.new("I;16", size)
    image.putdata([x * 600 for y in range(size[1]) for x in range(size[0])])
    buffer = io.BytesIO()
    image.save(buffer, "TIFF")
    return buffer.getvalue()


@once
def display_p3_png(colour=(200, 100, 50), size=(64, 64)):
    """A flat colour tagged with the Display P3 profile of the iPhone sample."""
    with Image.open(REAL_FIXTURES / "iphone_13_pro_max.HEIC") as photo:
        profile = photo.info["icc_profile"]
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG", icc_profile=profile)
    return buffer.getvalue()
