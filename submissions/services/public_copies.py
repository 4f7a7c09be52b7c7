"""Copies of works' images in the public location (the ``public`` storage), for
the gallery and the results post.

A public copy is made from the derivative the portal already made without
metadata — an image's preview, a video's poster frame, a document's first page
— decoded and encoded again (JPEG, no EXIF, GPS or XMP can survive), at a few
widths for ``srcset``, under a random name that tells nothing of the work, the
entry or the artist. Never from an original. Only a submitted entry whose
artist agreed to be shown on the website gets copies; ``remove_public_copies``
deletes them, objects first, when the work leaves public view.

Making them again changes nothing: a width already copied is kept.
"""

import io
import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from PIL import Image, ImageOps

from submissions.enums import DerivativeKind, EntryState, FileState, MediaKind
from submissions.models import ArtworkFile, Derivative, Entry, PublicCopy

logger = logging.getLogger(__name__)

# The widths of the copies, for ``srcset``: a list's tile, a page, a large
# screen. A smaller source gets one copy at its own width.
PUBLIC_WIDTHS = (480, 960, 1600)
JPEG_QUALITY = 82
PREFIX = "works/"
# Which derivative a public copy is made from, by the kind of file (and its
# number: a document's first page).
SOURCES = {
    MediaKind.IMAGE: (DerivativeKind.PREVIEW, 0),
    MediaKind.VIDEO: (DerivativeKind.POSTER, 0),
    MediaKind.DOCUMENT: (DerivativeKind.PAGE, 1),
}


def public_storage():
    return storages["public"]


def _sources(entry):
    """The ready files of ``entry`` with the derivative each copy is made of,
    in the work's order."""
    files = ArtworkFile.objects.filter(
        entry=entry, state=FileState.READY, kind__in=list(SOURCES)
    ).order_by("position", "id")
    derivatives = {
        (row.artwork_file_id, row.kind, row.index): row
        for row in Derivative.objects.filter(artwork_file__in=files)
    }
    for file in files:
        kind, index = SOURCES[file.kind]
        source = derivatives.get((file.pk, kind, index))
        if source is not None:
            yield file, source


def _encode(image, width):
    """``image`` at ``width`` (its height in proportion) as a JPEG without
    metadata: ``(bytes, width, height)``."""
    height = max(1, round(image.height * width / image.width))
    resized = image if width == image.width else image.resize((width, height))
    buffer = io.BytesIO()
    resized.save(
        buffer,
        "JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        icc_profile=image.info.get("icc_profile"),
    )
    return buffer.getvalue(), width, height


def _widths(source_width):
    """The widths below the source's, and the largest the source allows."""
    wanted = [width for width in PUBLIC_WIDTHS if width < source_width]
    return [*wanted, min(source_width, PUBLIC_WIDTHS[-1])]


def _copy_file(file, source):
    made = set(file.public_copies.values_list("width", flat=True))
    with _open_private(source.key) as handle:
        image = Image.open(handle)
        image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    for width in _widths(image.width):
        if width in made:
            continue
        data, width, height = _encode(image, width)
        key = f"{PREFIX}{secrets.token_urlsafe(18)}-{width}.jpg"
        key = public_storage().save(key, ContentFile(data))
        PublicCopy.objects.create(
            artwork_file=file, key=key, width=width, height=height, size=len(data)
        )


def _open_private(key):
    return storages["default"].open(key, "rb")


def make_public_copies(entry_id):
    """Copy the images of the entry to the public location, if it is submitted
    and its artist agreed to the website. Returns the number of copies the
    entry has."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().filter(pk=entry_id).first()
        if entry is None or not may_be_public(entry):
            return 0
        for file, source in _sources(entry):
            _copy_file(file, source)
        return PublicCopy.objects.filter(artwork_file__entry=entry).count()


def may_be_public(entry):
    """Whether ``entry``'s work may be shown in public: submitted, and its
    artist agreed to the website."""
    return entry.state == EntryState.SUBMITTED and entry.consent_website


def remove_public_copies(entry_id):
    """Delete the entry's public copies, their objects first. Returns how many
    were deleted."""
    copies = list(PublicCopy.objects.filter(artwork_file__entry_id=entry_id))
    storage = public_storage()
    for copy in copies:
        storage.delete(copy.key)
    PublicCopy.objects.filter(pk__in=[copy.pk for copy in copies]).delete()
    return len(copies)
