"""What an entrant reads when a file is refused (the upload or processing found it
unacceptable) or held up by the portal's own fault, one message per reason code."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from submissions.enums import MediaKind
from submissions.media import images

# The refusal for a file whose bytes are not of its kind.
WRONG_TYPE = {
    MediaKind.IMAGE: "not_an_image",
    MediaKind.VIDEO: "not_a_video",
    MediaKind.AUDIO: "not_audio",
    MediaKind.DOCUMENT: "not_a_pdf",
}

# What the entrant reads for each rejection or failure, in their language.
REJECTION_MESSAGES = {
    "missing": _("The file did not arrive in our storage. Please upload it again."),
    "empty": _("The file is empty. Please choose the file again and upload it."),
    "too_large": _(
        "The file that arrived is larger than this category allows, so it was not "
        "accepted."
    ),
    "size_mismatch": _(
        "The file that arrived is not the size your browser announced, so it was "
        "not accepted. Please upload it again."
    ),
    "kind_not_accepted": _("This category does not take this kind of work."),
    "not_an_image": _(
        "This file is not an image in a format we accept "
        "(JPEG, PNG, WebP, GIF, HEIC or TIFF), whatever its name says."
    ),
    "not_a_video": _(
        "This file is not a video in a format we accept "
        "(MP4, MOV or WebM), whatever its name says."
    ),
    "not_audio": _(
        "This file is not a sound recording in a format we accept "
        "(MP3, WAV, M4A, FLAC or OGG), whatever its name says."
    ),
    "not_a_pdf": _("This file is not a PDF document, whatever its name says."),
    "corrupt": _(
        "The file is damaged or incomplete and cannot be opened. "
        "Please export it again and upload the new file."
    ),
    "encrypted": _(
        "The PDF is protected by a password, so the judges could not open it. "
        "Please upload a copy without a password."
    ),
    "too_many_pixels": _(
        "The image has too many pixels for us to process. Please upload a smaller "
        "copy: at most %(jpeg)s megapixels as a JPEG, or %(other)s megapixels in "
        "other formats."
    ),
}
# The portal's own faults: the entrant is told that it is being worked on.
FAILURE_MESSAGES = {
    "storage_unavailable": _(
        "Our storage could not be reached. We will try again shortly; "
        "you do not need to do anything."
    ),
    "timed_out": _(
        "Processing this file took too long. Our team has been told and will "
        "try again; you do not need to do anything."
    ),
    "internal_error": _(
        "Something went wrong on our side while processing this file. Our team "
        "has been told and will try again; you do not need to do anything."
    ),
}


def rejection_message(code):
    """The translated text for a rejection or failure reason code."""
    if code in FAILURE_MESSAGES:
        return FAILURE_MESSAGES[code]
    message = REJECTION_MESSAGES.get(code, _("The file could not be accepted."))
    if code == "too_many_pixels":
        return message % {
            "jpeg": settings.IMAGE_MAX_PIXELS // 1_000_000,
            "other": images.max_pixels("PNG") // 1_000_000,
        }
    return message
