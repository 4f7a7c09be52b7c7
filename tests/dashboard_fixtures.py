"""A round for the staff dashboard's tests, seeded with entries, files and copies
whose numbers the tests know: written straight to the tables, with the times each
count depends on."""

import datetime
import itertools

from submissions.enums import (
    DerivativeKind,
    EntryState,
    FileState,
    MediaKind,
    RoundState,
    ScreeningState,
)
from submissions.models import ArtworkFile, Derivative, Entry
from tests import factories
from tests.entry_factories import add_file

UTC = datetime.UTC
_references = itertools.count(1)
# The round opens at 10:00 on 1 March 2026 and closes at noon on 5 March, Hong
# Kong time (UTC+8); its last 48 hours start at noon on 3 March.
OPENS = datetime.datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
CLOSES = datetime.datetime(2026, 3, 5, 4, 0, tzinfo=UTC)
IN_RUSH = datetime.datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
BEFORE_RUSH = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def make_round(**fields):
    values = {"state": RoundState.CLOSED, "opens_at": OPENS, "closes_at": CLOSES}
    round_ = factories.make_round(**{**values, **fields})
    adult = round_.categories.get()
    youth = factories.make_category(
        round_, name_en="Youth", name_zh_hant="青年組", min_age=None, max_age=17
    )
    poetry = factories.make_category(round_, name_en="Poetry", name_zh_hant="詩歌組")
    return round_, adult, youth, poetry


def entry(
    round_,
    category,
    entrant,
    *,
    state=EntryState.DRAFT,
    screening=ScreeningState.UNSCREENED,
    submitted_at=None,
    updated_at=BEFORE_RUSH,
):
    """An entry as the services leave it, with the times the test needs."""
    made = Entry.objects.create(
        round=round_,
        category=category,
        entrant=entrant,
        state=state,
        screening=screening,
        submitted_at=submitted_at,
        reference=f"T-{next(_references):04d}" if submitted_at else None,
        title_en="Harbour at Dusk",
    )
    Entry.objects.filter(pk=made.pk).update(updated_at=updated_at)
    return made


def file(entry_, *, created_at=BEFORE_RUSH, reason="", **fields):
    made = add_file(entry_, **fields)
    ArtworkFile.objects.filter(pk=made.pk).update(created_at=created_at, reason=reason)
    made.refresh_from_db()
    return made


def copy(file_, kind, size, index=0):
    return Derivative.objects.create(
        artwork_file=file_,
        kind=kind,
        index=index,
        key=Derivative.key_for(file_, kind, "bin", index),
        size=size,
        content_type="application/octet-stream",
    )


def seed_round():
    """Ten entries in two of a round's three categories, their files and copies,
    and an entry of another round that must count nowhere."""
    round_, adult, youth, poetry = make_round()
    entrant = factories.make_entrant()
    submitted = EntryState.SUBMITTED
    # 23:30 UTC on 2 March is 07:30 on 3 March in Hong Kong.
    late_night = entry(
        round_,
        adult,
        entrant,
        state=submitted,
        submitted_at=datetime.datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
    )
    # 15:30 UTC on 2 March is 23:30 on 2 March in Hong Kong.
    eligible = entry(
        round_,
        adult,
        entrant,
        state=submitted,
        screening=ScreeningState.ELIGIBLE,
        submitted_at=datetime.datetime(2026, 3, 2, 15, 30, tzinfo=UTC),
    )
    # 11:10 and 11:50 on 5 March in Hong Kong, the deadline's hour.
    ineligible = entry(
        round_,
        adult,
        entrant,
        state=submitted,
        screening=ScreeningState.INELIGIBLE,
        submitted_at=datetime.datetime(2026, 3, 5, 3, 10, tzinfo=UTC),
    )
    entry(
        round_,
        adult,
        entrant,
        state=EntryState.WITHDRAWN,
        submitted_at=datetime.datetime(2026, 3, 5, 3, 50, tzinfo=UTC),
    )
    edited = entry(round_, adult, entrant, updated_at=IN_RUSH)
    still_uploading = entry(round_, adult, entrant)
    given_a_file = entry(round_, adult, entrant)
    # Noon on 3 March in Hong Kong: the first hour of the last 48.
    entry(
        round_,
        youth,
        entrant,
        state=submitted,
        screening=ScreeningState.ELIGIBLE,
        submitted_at=datetime.datetime(2026, 3, 3, 4, 0, tzinfo=UTC),
    )
    entry(round_, youth, entrant, updated_at=IN_RUSH)
    entry(round_, youth, entrant, state=EntryState.WITHDRAWN)

    ready = file(edited, size=1000)
    copy(ready, DerivativeKind.THUMB, 100)
    copy(ready, DerivativeKind.PREVIEW, 300)
    file(still_uploading, state=FileState.AWAITING_UPLOAD, size=5000)
    file(given_a_file, state=FileState.UPLOADED, size=2000, created_at=IN_RUSH)
    document = file(late_night, kind=MediaKind.DOCUMENT, size=5_000_000)
    copy(document, DerivativeKind.PAGE, 200, index=1)
    copy(document, DerivativeKind.PAGE, 250, index=2)
    copy(document, DerivativeKind.DOCUMENT, 4_000_000)
    failed = file(
        ineligible,
        state=FileState.FAILED,
        size=3000,
        name="failed.jpg",
        reason="storage_unavailable",
    )
    rejected = file(
        eligible,
        kind=MediaKind.VIDEO,
        state=FileState.REJECTED,
        size=10_000_000,
        name="refused.mov",
        reason="unreadable",
    )

    other_round, other_category, *_ = make_round(year=2027)
    other = entry(
        other_round,
        other_category,
        entrant,
        state=submitted,
        submitted_at=datetime.datetime(2026, 3, 5, 3, 30, tzinfo=UTC),
        updated_at=IN_RUSH,
    )
    other_file = file(other, state=FileState.FAILED, size=7777, name="other.jpg")
    copy(other_file, DerivativeKind.THUMB, 77)
    return {
        "round": round_,
        "categories": (adult, youth, poetry),
        "failed": failed,
        "rejected": rejected,
    }
