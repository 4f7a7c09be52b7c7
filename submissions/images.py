"""Image operations: decode an original safely and make its clean derivatives.

Every derivative is drawn into a fresh image and saved without any of the
original's metadata (EXIF with GPS and maker notes, XMP, IPTC, comments): an
entrant's location must never leave the private originals. Colours are converted
to sRGB, the only profile a derivative carries.
"""

import io
import warnings

import pi_heif
from django.conf import settings
from PIL import Image, ImageCms, ImageOps

from submissions.enums import DerivativeKind
from submissions.renditions import Processed, Rejected, Rendition

pi_heif.register_heif_opener()

# The largest image we decode is settings.IMAGE_MAX_PIXELS (a 100-megapixel RGB
# image takes 300 MB in memory); larger ones are refused from the header alone,
# before any pixel is decoded. Pillow only raises above twice its own limit and
# merely warns between the two: make_renditions turns that warning into an error.

# The long edge of each derivative, in pixels, largest first: each is shrunk
# from the one before.
EDGES = {DerivativeKind.THUMB: 480, DerivativeKind.PREVIEW: 2000}
IMAGE_SIZES = ((DerivativeKind.PREVIEW, 2000), (DerivativeKind.THUMB, 480))
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# The formats libmagic names that we decode; anything else is not an image to us.
ACCEPTED_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "image/heic",
        "image/heif",
        "image/tiff",
    }
)

ORIENTATION_TAG = 0x0112

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SRGB_BYTES = _SRGB.tobytes()


def make_renditions(path, sizes=IMAGE_SIZES, *, index=0):
    """Clean JPEG copies of the image in the file at ``path``, one per
    ``(kind, long edge)`` of ``sizes`` (largest first), and its upright size.

    Raises Rejected with "too_many_pixels" or "corrupt".
    """
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as original:
                _check_pixels(original)
                original_size = _upright_size(original)
                image = _decode(original)
        except Rejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise Rejected("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports a truncated or malformed file with any of these.
            raise Rejected("corrupt") from error
    # With draft decoding the decoded image may be smaller than the original.
    width, height = original_size
    processed = Processed(width=width, height=height)
    # The largest first, then each smaller one from it, shrinking the one decoded
    # image in place: each rendition is encoded before the next shrink.
    for kind, edge in sizes:
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
        processed.renditions.append(_encode(kind, image, index=index))
    return processed


def _check_pixels(image):
    width, height = image.size
    if width <= 0 or height <= 0:
        raise Rejected("corrupt")
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise Rejected("too_many_pixels")


def _upright_size(image):
    """Width and height as the work is seen: EXIF orientations 5 to 8 turn it."""
    width, height = image.size
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return width, height
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _decode(original):
    """The first frame of ``original``, upright, in sRGB, without metadata."""
    if original.format == "JPEG":
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale while staying above the
        # preview's size: a 48-megapixel photo then never takes full memory.
        original.draft("RGB", (EDGES[DerivativeKind.PREVIEW],) * 2)
    original.seek(0)
    original.load()
    icc = original.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(original)
    except Exception:
        # Broken EXIF can fail in many ways inside Pillow's parser; the pixels are
        # still good, so keep them as stored rather than refuse the work.
        upright = original
    image = _to_srgb(upright, icc)
    # Draw into a new image so that no info block of the original (exif, xmp,
    # comment, icc_profile, dpi) can reach the encoder.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _to_srgb(image, icc):
    if image.mode in ("RGBA", "LA", "PA", "P") or (
        image.mode in ("RGB", "L") and "transparency" in image.info
    ):
        image = _flatten(image)
    elif image.mode not in ("RGB", "L", "CMYK"):
        # 16-bit and floating greyscale (scientific TIFFs): scale into 8 bits.
        image = _to_8bit(image)
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A profile that does not fit the pixels is ignored, as browsers do.
            pass
    return image.convert("RGB")


def _flatten(image):
    """Composite transparency onto white: JPEG has no alpha channel."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _to_8bit(image):
    grey = image.convert("I")
    low, high = grey.getextrema()
    if high <= low:
        return Image.new("L", grey.size, 0)
    scale = 255 / (high - low)
    return grey.point(lambda value: (value - low) * scale).convert("L")


def _encode(kind, image, *, index=0):
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        quality=JPEG_QUALITY,
        progressive=True,
        optimize=True,
        icc_profile=_SRGB_BYTES,
    )
    return Rendition(
        kind=kind,
        content_type=CONTENT_TYPE,
        extension="jpg",
        data=buffer.getvalue(),
        width=image.width,
        height=image.height,
        index=index,
    )
