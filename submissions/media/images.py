"""Image operations: decode an original safely and make its clean derivatives.

Every derivative is drawn into a fresh image and saved without any of the
original's metadata (EXIF with GPS and maker notes, XMP, IPTC, comments): an
entrant's location must never leave the private originals. Colours are converted
to sRGB, the only profile a derivative carries.
"""

import io
import warnings

import imagehash
import pi_heif
from django.conf import settings
from PIL import Image, ImageCms

from submissions.enums import DerivativeKind
from submissions.media.results import DerivativeData, Processed, Rejected

pi_heif.register_heif_opener()

# The largest image decoded is settings.IMAGE_MAX_PIXELS (a 100-megapixel RGB
# image takes 300 MB in memory); larger ones are refused from the header alone,
# before any pixel is decoded. Pillow only raises above twice its own limit and
# merely warns between the two: make_derivatives turns that warning into an error.

# The long edge of each derivative, in pixels, largest first: each is shrunk
# from the one before.
IMAGE_SIZES = ((DerivativeKind.PREVIEW, 2000), (DerivativeKind.THUMB, 480))
EDGES = dict(IMAGE_SIZES)
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

# The formats libmagic names that are decoded; anything else is not an image here.
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
# How to turn an image upright for each EXIF orientation.
TRANSPOSE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Orientations that swap width and height.
TURNED = {5, 6, 7, 8}

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SRGB_BYTES = _SRGB.tobytes()


def make_derivatives(path, sizes=IMAGE_SIZES, *, index=0, fingerprint=False):
    """Clean JPEG copies of the image in the file at ``path``, one per
    ``(kind, long edge)`` of ``sizes`` (largest first), and its upright size;
    with ``fingerprint``, also its perceptual hash (``perceptual_hash``), taken
    from the smallest copy.

    Raises Rejected with "too_many_pixels" or "corrupt".
    """
    largest = max(edge for _kind, edge in sizes)
    image, width, height = _open_upright(path, largest)
    processed = Processed(width=width, height=height)
    # The largest first, then each smaller one from it, shrinking the one decoded
    # image in place: each derivative is encoded before the next shrink.
    for kind, edge in sizes:
        _shrink_to(image, edge)
        processed.derivatives.append(_encode(kind, image, index=index))
    if fingerprint:
        processed.perceptual_hash = perceptual_hash(image)
    return processed


def fingerprint_file(path):
    """The perceptual hash of the image in the file at ``path`` (an original or
    its preview), taken as ``make_derivatives`` takes it: from the upright image
    shrunk through the same sizes. Raises Rejected as ``make_derivatives`` does."""
    image, _width, _height = _open_upright(path, IMAGE_SIZES[0][1])
    for _kind, edge in IMAGE_SIZES:
        _shrink_to(image, edge)
    return perceptual_hash(image)


def perceptual_hash(image):
    """The DCT hash of a decoded image (``imagehash.phash``: 64 bits, as 16
    hexadecimal digits). Resizing, re-encoding, a slight crop or turn change few
    of its bits; another picture about half of them (docs/PROCESSING.md). The
    hash shrinks the image to 32 × 32 pixels first: taken from the thumbnail, it
    costs a few milliseconds."""
    return str(imagehash.phash(image))


def _shrink_to(image, edge):
    """Shrink ``image`` in place to at most ``edge`` on its long side: a box
    reduction to within twice the size, then Lanczos (a third of the time of
    Lanczos all the way, and no difference to see at these sizes)."""
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=2.0)


def _open_upright(path, edge):
    """The first frame of the image at ``path``, decoded at most ``edge`` pixels on
    its long side (``_decode``), and its upright full size."""
    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as original:
                _check_pixels(original)
                orientation = _orientation(original)
                width, height = original.size
                if orientation in TURNED:
                    width, height = height, width
                image = _decode(original, edge, orientation)
        except Rejected:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise Rejected("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports a truncated or malformed file with any of these.
            raise Rejected("corrupt") from error
    return image, width, height


def max_pixels(image_format):
    """The most pixels decoded for a format. JPEG is decoded at a fraction of
    its size (see ``_decode``); other formats are decoded whole first, so they
    get a lower limit that keeps a worker's memory bounded."""
    if image_format == "JPEG":
        return settings.IMAGE_MAX_PIXELS
    return min(settings.IMAGE_MAX_PIXELS, settings.IMAGE_MAX_PIXELS_FULL_DECODE)


def _check_pixels(image):
    width, height = image.size
    if width <= 0 or height <= 0:
        raise Rejected("corrupt")
    if width * height > max_pixels(image.format):
        raise Rejected("too_many_pixels")


def _orientation(image):
    """The EXIF orientation (1 to 8); broken EXIF counts as upright: it can fail
    in many ways inside Pillow's parser, while the pixels are still good."""
    try:
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return orientation if orientation in TRANSPOSE else 1


def _decode(original, edge, orientation):
    """The first frame of ``original``, at most ``edge`` pixels on its long side,
    upright, in sRGB, without metadata.

    Memory stays near one decoded copy of the original: a JPEG is decoded at
    1/2, 1/4 or 1/8 of its size where that still covers ``edge``, and every
    other step (turning, colour conversion) works on the shrunk image.
    """
    if original.format == "JPEG":
        original.draft("RGB", _draft_box(original.size, edge))
    original.seek(0)
    original.load()
    icc = original.info.get("icc_profile")
    image = _shrink(original, edge)
    if TRANSPOSE[orientation] is not None:
        image = image.transpose(TRANSPOSE[orientation])
    image = _to_srgb(image, icc)
    # Draw into a new image so that no info block of the original (exif, xmp,
    # comment, icc_profile, dpi) can reach the encoder.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _draft_box(size, edge):
    """The size libjpeg must not go below: ``edge`` on the long side, in the
    image's own proportions (a square box would keep a 4:3 photo at full size)."""
    width, height = size
    scale = edge / max(width, height)
    return max(1, int(width * scale)), max(1, int(height * scale))


def _shrink(image, edge):
    """``image`` at most ``edge`` on its long side, in a mode that resizes well."""
    if image.mode in ("P", "PA", "1", "LA") or (
        image.mode in ("RGB", "L") and "transparency" in image.info
    ):
        # Palette images resize only by nearest neighbour: make them RGBA first.
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        # 16-bit and floating greyscale (scientific TIFFs): scale into 8 bits.
        image = _to_8bit(image)
    # A box reduction by the largest whole factor first (reducing_gap 1.0), then
    # Lanczos for the rest: the full-size image is freed once the small one
    # exists, so a 50-megapixel PNG never has a second large copy beside it.
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=1.0)
    return image


def _to_srgb(image, icc):
    if image.mode == "RGBA":
        image = _flatten(image)
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
        # Baseline with optimised Huffman tables: progressive encoding costs a
        # fifth more time for 5 % smaller files (docs/PERFORMANCE.md).
        optimize=True,
        icc_profile=_SRGB_BYTES,
    )
    return DerivativeData(
        kind=kind,
        content_type=CONTENT_TYPE,
        extension="jpg",
        data=buffer.getvalue(),
        width=image.width,
        height=image.height,
        index=index,
    )
