"""A news post's cover: the image staff upload (or another app hands over) made
into clean web sizes with Pillow.

The type is sniffed from the bytes (libmagic), never taken from the file's name;
Pillow verifies the file before it is decoded. Each web size is drawn into a
fresh image, upright (the EXIF orientation applied), in sRGB, and encoded as a
JPEG without any of the original's metadata: no EXIF (GPS, camera, maker
notes), XMP, IPTC or comment reaches the public storage. JPEG rather than WebP:
every site that reads a shared link's Open Graph image takes it.
"""

import io
import warnings
from dataclasses import dataclass, field

import magic
import pi_heif
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps

from artsprize.news.errors import CoverError

pi_heif.register_heif_opener()

# The largest cover taken, in bytes.
MAX_BYTES = 10 * 1024 * 1024
# The widths of the web sizes, in pixels; none is wider than the original.
WIDTHS = (480, 960, 1600)
JPEG_QUALITY = 82
CONTENT_TYPE = "image/jpeg"
# What libmagic may name the bytes: JPEG, PNG, WebP, HEIC.
ACCEPTED_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}
)
# Decoded whole: a limit that keeps a web process's memory bounded.
MAX_PIXELS = 50_000_000

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

MESSAGES = {
    "empty": _("The image file is empty."),
    "too_large": _("The image is larger than 10 MB."),
    "not_an_image": _("This is not a JPEG, PNG, WebP or HEIC image."),
    "corrupt": _("The image is damaged or incomplete and cannot be read."),
    "too_many_pixels": _("The image has too many pixels (at most 50 megapixels)."),
}


def refuse(code):
    return CoverError(MESSAGES[code], code=code)


@dataclass(frozen=True)
class WebSize:
    width: int
    height: int
    data: bytes


@dataclass
class Cover:
    """The web sizes of a cover, smallest first."""

    sizes: list = field(default_factory=list)

    @property
    def largest(self):
        return self.sizes[-1]


def check_upload(data):
    """Refuse, from the bytes alone, what cannot be a cover: nothing, too much,
    or not one of the accepted types."""
    if not data:
        raise refuse("empty")
    if len(data) > MAX_BYTES:
        raise refuse("too_large")
    if magic.from_buffer(data[:8192], mime=True) not in ACCEPTED_TYPES:
        raise refuse("not_an_image")


def make_cover(data):
    """The web sizes of the image ``data`` (bytes). Raises CoverError."""
    check_upload(data)
    Image.MAX_IMAGE_PIXELS = min(settings.IMAGE_MAX_PIXELS, MAX_PIXELS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in {"JPEG", "PNG", "WEBP", "HEIF"}:
                    raise refuse("not_an_image")
                probe.verify()
            with Image.open(io.BytesIO(data)) as original:
                width, height = original.size
                if width <= 0 or height <= 0:
                    raise refuse("corrupt")
                if width * height > MAX_PIXELS:
                    raise refuse("too_many_pixels")
                image = _upright_srgb(original)
        except CoverError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise refuse("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports a truncated or malformed file with any of these.
            raise refuse("corrupt") from error
    return Cover(sizes=[_encode(image, width) for width in _widths(image.width)])


def _widths(original_width):
    """The widths made: each of ``WIDTHS`` narrower than the original, then the
    original's own width up to the largest (never enlarged)."""
    largest = min(original_width, WIDTHS[-1])
    return [width for width in WIDTHS if width < largest] + [largest]


def _upright_srgb(original):
    original.seek(0)
    original.load()
    icc = original.info.get("icc_profile")
    image = ImageOps.exif_transpose(original)
    if image.mode in ("P", "PA", "LA", "1") or "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        background.alpha_composite(image)
        image = background
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A profile that does not fit the pixels is ignored, as browsers do.
            pass
    image = image.convert("RGB")
    # A new image: no info block of the original (exif, xmp, comment, icc) can
    # reach the encoder.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _encode(image, width):
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return WebSize(width=image.width, height=image.height, data=buffer.getvalue())
