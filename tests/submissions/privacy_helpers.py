"""Builders for the tests of a person's data and of retention: entries whose
originals and copies are really stored, and what the S3 server holds."""

from submissions import storage
from submissions.enums import DerivativeKind
from submissions.models import Derivative
from submissions.services.entries import submit_entry
from tests import entry_factories
from tests.upload_helpers import stored_file


def listed_keys(*prefixes):
    """Every object the S3 server holds under ``prefixes``."""
    return {
        item["Key"]
        for prefix in prefixes
        for page in storage.object_pages(prefix)
        for item in page
    }


def stored_derivative(file, data=b"thumbnail bytes"):
    key = Derivative.key_for(file, DerivativeKind.THUMB, "webp")
    storage.put_bytes(key, data, content_type="image/webp")
    return Derivative.objects.create(
        artwork_file=file,
        kind=DerivativeKind.THUMB,
        key=key,
        size=len(data),
        content_type="image/webp",
    )


def submitted_with_file(round_, entrant, data, name="work.jpg"):
    entry = entry_factories.make_complete_entry(
        round_, entrant=entrant, with_file=False
    )
    file = stored_file(
        entry, data, name=name, state="ready", alt_text="A harbour at dusk."
    )
    submit_entry(entry, by=entrant)
    entry.refresh_from_db()
    return entry, file
