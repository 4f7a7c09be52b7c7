"""Builders for entries. They use the entry services wherever one exists."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from submissions.enums import FileState, MediaKind, RoundState
from submissions.media.results import Rejected
from submissions.models import ArtworkFile
from submissions.services.entries import create_entry, submit_entry, update_entry
from tests import factories, processing_fixtures

_numbers = itertools.count(1)

COMPLETE = {
    "title_en": "Harbour at Dusk",
    "title_zh_hant": "黃昏的海港",
    "medium": "Ink on rice paper",
    "statement": "A harbour seen from a rooftop in Sham Shui Po.",
    "consent_original": True,
    "consent_terms": True,
}


def make_open_round(*, closes_in=datetime.timedelta(days=7), **fields):
    """An open round taking entries, with one category for adults (images or text)."""
    now = timezone.now()
    values = {
        "state": RoundState.OPEN,
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + closes_in,
    }
    values.update(fields)
    return factories.make_round(**values)


def adult_category(round_):
    return round_.categories.get(position=0)


def make_youth_category(round_, **fields):
    values = {
        "name_en": "Youth",
        "name_zh_hant": "青年組",
        "min_age": None,
        "max_age": 17,
        "media_kinds": [MediaKind.IMAGE],
    }
    values.update(fields)
    return factories.make_category(round_, **values)


def make_entry(round_, *, entrant, category=None, by=None, **data):
    return create_entry(
        round_,
        entrant=entrant,
        category=category or adult_category(round_),
        data=data,
        by=by or entrant,
    )


def add_file(
    entry,
    *,
    kind=MediaKind.IMAGE,
    state=FileState.READY,
    name="harbour.jpg",
    alt_text="A harbour at dusk, boats in silhouette.",
    size=1024,
):
    """A file as the upload protocol leaves it (the protocol has its own tests)."""
    number = next(_numbers)
    return ArtworkFile.objects.create(
        entry=entry,
        owner=entry.filed_by or entry.entrant,
        position=entry.files.count(),
        kind=kind,
        key=f"test/originals/{entry.pk}/{number}",
        original_name=name,
        content_type="image/jpeg" if kind == MediaKind.IMAGE else "application/pdf",
        declared_size=size,
        size=size if state != FileState.AWAITING_UPLOAD else None,
        state=state,
        alt_text=alt_text,
    )


def make_complete_entry(round_, *, entrant, category=None, by=None, with_file=True):
    """A draft with everything a submit needs."""
    entry = make_entry(round_, entrant=entrant, category=category, by=by, **COMPLETE)
    if with_file:
        add_file(entry)
    return entry


def make_submitted_entry(round_, *, entrant, **kwargs):
    entry = make_complete_entry(round_, entrant=entrant, **kwargs)
    return submit_entry(entry, by=kwargs.get("by") or entrant)


def make_minor_entry(*, language="en", guardian_email="parent@example.org"):
    """A complete youth entry by a 15-year-old, naming a parent who must confirm it."""
    entrant = factories.make_entrant(age=15, language=language)
    round_ = make_open_round()
    entry = make_complete_entry(
        round_, entrant=entrant, category=make_youth_category(round_)
    )
    return update_entry(
        entry,
        data={"guardian_name": "Chan Mei", "guardian_email": guardian_email},
        by=entrant,
    )


def make_artist_without_email(*, age=30, language="en"):
    """An artist a caseworker files for: no address, no usable password."""
    user = get_user_model().objects.create_user(email=None, language=language)
    factories.add_profile(user, age=age, legal_name="Maria Santos", credit_name="")
    return user


def derivatives_or_refusal(make_derivatives, original, work_dir):
    """What ``make_derivatives`` makes of ``original``, or the code it refuses it with
    (a cut file may be either, depending on where the cut falls)."""
    try:
        return make_derivatives(original, work_dir)
    except Rejected as rejected:
        return rejected.code


# Files of other kinds that an audio or a video upload may turn out to be.
NOT_MEDIA = {
    "png": processing_fixtures.png_bytes(),
    "jpeg": processing_fixtures.jpeg_bytes(),
    "zip": processing_fixtures.zip_archive(),
    "pdf": processing_fixtures.pdf_document(),
    "text": b"Just some text, typed into a file named like a song or a clip.\n" * 20,
    "garbage": bytes(range(256)) * 40,
}
