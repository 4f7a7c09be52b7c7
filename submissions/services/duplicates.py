"""The same work entered twice: files of different entries, this round's or an
earlier round's, that are the same file (the same SHA-256) or the same image
resized, re-encoded, slightly cropped or photographed again (perceptual hashes
at most ``THRESHOLD`` bits apart). Screening staff see them beside each entry
(``selectors.duplicates``).

Each pair is one ``FileMatch`` row, the later file (the higher ID: files are
numbered as their uploads start) as ``file``. Recording is idempotent: a pair
already recorded is left as it is. Files of one entry are never matched with
each other, and a withdrawn entry's files do not count. Only ready files take
part: their SHA-256 and hash are final.

How the threshold was chosen, and what scanning costs: docs/PROCESSING.md.
"""

import logging
from collections import Counter, defaultdict

from django.db.models import Q
from django.utils import timezone

from submissions.enums import EntryState, FileState, MatchKind, MediaKind
from submissions.models import ArtworkFile, FileMatch
from submissions.services.processing import fingerprint_stored_image

logger = logging.getLogger(__name__)

# The most bits in which the perceptual hashes of two images may differ for them
# to be called similar. A hash has 32 of its 64 bits set, so distances are even.
# Measured on the real photos of the test fixtures: a resized or re-encoded copy
# is 0–4 bits away, a copy cropped by 3 % 4–14, turned by 1° and cropped 2–18;
# different photos 20 bits or more.
THRESHOLD = 10
# Rows written per INSERT.
INSERT_BATCH = 1000


def _counted_files():
    """Files that may match: ready, in an entry that was not withdrawn."""
    return ArtworkFile.objects.filter(state=FileState.READY).exclude(
        entry__state=EntryState.WITHDRAWN
    )


def _hashed_images():
    return _counted_files().filter(kind=MediaKind.IMAGE).exclude(perceptual_hash="")


def find_file_matches(file_id):
    """Record the matches of the ready file ``file_id`` with the files of every
    other entry: the same bytes (SAME_FILE, distance 0) or, for an image, a
    perceptual hash at most THRESHOLD bits away (SIMILAR_IMAGE). Safe to run
    again. Returns the new matches counted by kind."""
    file = (
        _counted_files()
        .filter(pk=file_id)
        .values("id", "entry_id", "sha256", "perceptual_hash")
        .first()
    )
    if file is None:
        return Counter()
    others = _counted_files().exclude(entry_id=file["entry_id"])
    found = {}
    if file["sha256"]:
        same = others.filter(sha256=file["sha256"]).order_by()
        for other in same.values_list("id", flat=True):
            found[_pair(file["id"], other)] = (MatchKind.SAME_FILE, 0)
    if file["perceptual_hash"]:
        mine = int(file["perceptual_hash"], 16)
        candidates = (
            _hashed_images()
            .exclude(entry_id=file["entry_id"])
            .order_by()
            .values_list("id", "perceptual_hash")
        )
        for other, hexadecimal in candidates:
            bits = (int(hexadecimal, 16) ^ mine).bit_count()
            if bits <= THRESHOLD:
                found.setdefault(
                    _pair(file["id"], other), (MatchKind.SIMILAR_IMAGE, bits)
                )
    recorded = FileMatch.objects.filter(
        Q(file_id=file["id"]) | Q(other_id=file["id"])
    ).values_list("file_id", "other_id")
    return _record(found, set(recorded))


def record_all_matches():
    """Record the matches among every ready file at once, as ``find_file_matches``
    would one file at a time, reading each file's hashes once (for files
    processed before matches were looked for). Returns the new matches counted
    by kind."""
    rows = _counted_files().values_list("id", "entry_id", "sha256").order_by("id")
    by_sha = defaultdict(list)
    for file_id, entry_id, sha256 in rows.iterator(chunk_size=5000):
        if sha256:
            by_sha[sha256].append((file_id, entry_id))
    found = {}
    for same in by_sha.values():
        for index, (file_id, entry_id) in enumerate(same):
            for other, other_entry in same[:index]:
                if other_entry != entry_id:
                    found[_pair(file_id, other)] = (MatchKind.SAME_FILE, 0)
    # Each image against those before it: the pair is compared once, and the
    # entries of the few within THRESHOLD are looked at only then.
    ids, entries, hashes = [], [], []
    hashed = (
        _hashed_images()
        .values_list("id", "entry_id", "perceptual_hash")
        .order_by("id")
        .iterator(chunk_size=5000)
    )
    for file_id, entry_id, hexadecimal in hashed:
        mine = int(hexadecimal, 16)
        near = [
            index
            for index, theirs in enumerate(hashes)
            if (theirs ^ mine).bit_count() <= THRESHOLD
        ]
        for index in near:
            if entries[index] != entry_id:
                found.setdefault(
                    (file_id, ids[index]),
                    (MatchKind.SIMILAR_IMAGE, (hashes[index] ^ mine).bit_count()),
                )
        ids.append(file_id)
        entries.append(entry_id)
        hashes.append(mine)
    recorded = set(FileMatch.objects.values_list("file_id", "other_id"))
    return _record(found, recorded)


def fingerprint_unhashed_images():
    """Give every ready image processed before perceptual hashes were taken its
    hash, read from its original or, once that is gone, its preview. Returns
    how many were hashed and how many could not be read."""
    counts = Counter(hashed=0, unreadable=0)
    unhashed = (
        ArtworkFile.objects.filter(
            state=FileState.READY, kind=MediaKind.IMAGE, perceptual_hash=""
        )
        .order_by("id")
        .only("id", "key")
    )
    # Read at once (a row is small), so that no cursor stays open while each
    # image is fetched from storage.
    for file in list(unhashed):
        fingerprint = fingerprint_stored_image(file)
        if not fingerprint:
            logger.warning("File %s: neither its original nor preview read.", file.pk)
            counts["unreadable"] += 1
            continue
        ArtworkFile.objects.filter(pk=file.pk, perceptual_hash="").update(
            perceptual_hash=fingerprint, updated_at=timezone.now()
        )
        counts["hashed"] += 1
    return counts


def _pair(first, second):
    """The pair of two files as it is stored: the later file first."""
    return (first, second) if first > second else (second, first)


def _record(found, recorded):
    """Write the pairs of ``found`` ({(file, other): (kind, distance)}) that are
    not ``recorded`` yet. A pair another run wrote meanwhile is skipped by the
    database's unique constraint."""
    new = [
        FileMatch(file_id=file_id, other_id=other_id, kind=kind, distance=bits)
        for (file_id, other_id), (kind, bits) in sorted(found.items())
        if (file_id, other_id) not in recorded
    ]
    FileMatch.objects.bulk_create(new, batch_size=INSERT_BATCH, ignore_conflicts=True)
    counts = Counter(str(match.kind) for match in new)
    if new:
        logger.info("File matches recorded: %s", dict(counts))
    return counts
