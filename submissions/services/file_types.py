"""What files an entry takes: the kinds and formats a category accepts, by the
file's name and the browser's claim, and the name kept of a file.

The bytes decide in the end: processing reads the real type of every file (see
services.processing); this is the first, cheap check when an upload starts.
"""

import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from submissions.enums import MediaKind
from submissions.errors import UploadError

NAME_MAX_LENGTH = 150

# Extension → (kind, the Content-Type the server signs into the upload).
EXTENSIONS = {
    "jpg": (MediaKind.IMAGE, "image/jpeg"),
    "jpeg": (MediaKind.IMAGE, "image/jpeg"),
    "png": (MediaKind.IMAGE, "image/png"),
    "webp": (MediaKind.IMAGE, "image/webp"),
    "gif": (MediaKind.IMAGE, "image/gif"),
    "heic": (MediaKind.IMAGE, "image/heic"),
    "heif": (MediaKind.IMAGE, "image/heif"),
    "tif": (MediaKind.IMAGE, "image/tiff"),
    "tiff": (MediaKind.IMAGE, "image/tiff"),
    "mp4": (MediaKind.VIDEO, "video/mp4"),
    "mov": (MediaKind.VIDEO, "video/quicktime"),
    "webm": (MediaKind.VIDEO, "video/webm"),
    "m4v": (MediaKind.VIDEO, "video/x-m4v"),
    "mp3": (MediaKind.AUDIO, "audio/mpeg"),
    "wav": (MediaKind.AUDIO, "audio/wav"),
    "m4a": (MediaKind.AUDIO, "audio/mp4"),
    "flac": (MediaKind.AUDIO, "audio/flac"),
    "ogg": (MediaKind.AUDIO, "audio/ogg"),
    "oga": (MediaKind.AUDIO, "audio/ogg"),
    "pdf": (MediaKind.DOCUMENT, "application/pdf"),
}

# The formats each kind is taken in, by the names people know them by.
FORMAT_NAMES = {
    MediaKind.IMAGE: ("JPEG", "PNG", "WebP", "GIF", "HEIC", "TIFF"),
    MediaKind.VIDEO: ("MP4", "MOV", "WebM", "M4V"),
    MediaKind.AUDIO: ("MP3", "WAV", "M4A", "FLAC", "OGG"),
    MediaKind.DOCUMENT: ("PDF",),
}
KIND_FORMATS = {
    MediaKind.IMAGE: gettext_lazy("photos and images: %(formats)s"),
    MediaKind.VIDEO: gettext_lazy("videos: %(formats)s"),
    MediaKind.AUDIO: gettext_lazy("sound recordings: %(formats)s"),
    MediaKind.DOCUMENT: gettext_lazy("documents: %(formats)s"),
}

# Browsers send no type, or a generic one, for files they do not know (HEIC on
# many desktops); that is not a lie.
_UNKNOWN_TYPES = {"", "application/octet-stream"}
_TYPE_FAMILIES = {
    MediaKind.IMAGE: "image/",
    MediaKind.VIDEO: "video/",
    MediaKind.AUDIO: "audio/",
}
# Types some systems give these files although the family differs.
_ALSO_DECLARED_AS = {
    "ogg": {"application/ogg", "video/ogg"},
    "oga": {"application/ogg"},
    "m4a": {"video/mp4"},
    "pdf": {"application/pdf", "application/x-pdf"},
}

# Invisible characters that reorder or hide text: a name with a right-to-left
# override can show "gpj.exe" as "exe.jpg".
_HIDDEN_CHARACTERS = {
    "\u061c",
    "\u200b",
    "\u200e",
    "\u200f",
    "\u2028",
    "\u2029",
    "\ufeff",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
}


def sanitise_file_name(name):
    """The original file name as it may be shown to the entrant and staff.

    Path parts, control characters and bidirectional or invisible marks are
    dropped; letters of every script and emoji are kept; long names are shortened
    before the extension.
    """
    text = unicodedata.normalize("NFC", str(name or "")[:4096])
    text = "".join(
        char
        for char in text
        if unicodedata.category(char) not in {"Cc", "Cs"}
        and char not in _HIDDEN_CHARACTERS
    )
    text = text.replace("\\", "/").split("/")[-1]
    text = " ".join(text.split())
    text = text.strip(" .")
    if len(text) <= NAME_MAX_LENGTH:
        return text
    stem, dot, extension = text.rpartition(".")
    if not dot or len(extension) > 10:
        return text[:NAME_MAX_LENGTH].rstrip(" .")
    return f"{stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"


def _extension(name):
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def accepted_types(category):
    """What ``category`` takes, kind by kind, in the words people know ("photos
    and images: JPEG, PNG…"): a list of ``{"kind", "text", "limit"}``."""
    separator = pgettext("between the names of file formats", ", ")
    return [
        {
            "kind": kind,
            "text": phrase % {"formats": separator.join(FORMAT_NAMES[kind])},
            "limit": category.max_bytes_for(kind),
        }
        for kind, phrase in KIND_FORMATS.items()
        if kind in category.media_kinds
    ]


def _what_is_taken(category):
    """The sentence that says what ``category`` takes."""
    separator = pgettext("between kinds of files", "; ")
    types = separator.join(item["text"] for item in accepted_types(category))
    if not types:
        return _("This category takes no files.")
    return _("This category takes %(types)s.") % {"types": types}


def kind_of(name, declared_type, *, category):
    """The media kind and the Content-Type of a file, from its name; refused when
    the category does not take it or the browser's type claim contradicts it."""
    extension = _extension(name)
    if extension not in EXTENSIONS:
        raise UploadError(
            "unsupported_type",
            _("Files of this type cannot be entered. %(taken)s")
            % {"taken": _what_is_taken(category)},
        )
    kind, content_type = EXTENSIONS[extension]
    if kind not in category.media_kinds:
        raise UploadError(
            "kind_not_accepted",
            _("This category does not take files of the kind “%(kind)s”. %(taken)s")
            % {"kind": MediaKind(kind).label, "taken": _what_is_taken(category)},
        )
    declared = str(declared_type or "").split(";")[0].strip().lower()
    family = _TYPE_FAMILIES.get(kind)
    if not (
        declared in _UNKNOWN_TYPES
        or (family and declared.startswith(family))
        or declared in _ALSO_DECLARED_AS.get(extension, ())
    ):
        raise UploadError(
            "type_mismatch",
            _(
                "The file's name says it is of the kind “%(kind)s”, but your browser "
                "says it is “%(declared)s”. Please check that you chose the right "
                "file."
            )
            % {"kind": MediaKind(kind).label, "declared": declared[:100]},
        )
    return kind, content_type
