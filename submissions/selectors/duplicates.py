"""What screening staff see of duplicate files (services.duplicates): for each
entry, the files of other entries that are the same file or a similar image."""

from dataclasses import dataclass

from django.db.models import Q

from artsprize.common.i18n import localized
from submissions.enums import EntryState, MatchKind
from submissions.models import ArtworkFile, FileMatch

_SIDES = ("file", "other")
_SIDE_COLUMNS = (
    "_id",
    "__entry_id",
    "__entry__reference",
    "__entry__round_id",
    "__entry__round__year",
    "__entry__round__title_en",
    "__entry__round__title_zh_hant",
)
_COLUMNS = (
    "kind",
    "distance",
    *(f"{side}{column}" for side in _SIDES for column in _SIDE_COLUMNS),
)


@dataclass(frozen=True)
class FileMatchValue:
    """One match of a file of ``entry_id`` with a file of another entry. Files
    are numbered in their entry from 1, as the staff pages number them (every
    file of the entry, in order). ``other_reference`` is empty for a draft."""

    entry_id: int
    round_id: int
    file_id: int
    file_number: int
    other_entry_id: int
    other_reference: str
    other_round_id: int
    other_round_title_en: str
    other_round_title_zh_hant: str
    other_round_year: int
    other_file_id: int
    other_file_number: int
    kind: str
    distance: int

    @property
    def same_file(self):
        return self.kind == MatchKind.SAME_FILE

    @property
    def other_round_title(self):
        """The other round's title in the reader's language."""
        return localized(self, "other_round_title")

    @property
    def same_round(self):
        return self.other_round_id == self.round_id


def matches_of_entries(entry_ids):
    """{entry ID: [FileMatchValue]} for each of ``entry_ids`` (an empty list for
    an entry without matches), both directions of each pair, matches with
    withdrawn entries left out; by the entry's file, the same files first, then
    the nearest images. Two queries (one when no entry has a match), however
    many entries."""
    entry_ids = list(dict.fromkeys(entry_ids))
    matches = {entry_id: [] for entry_id in entry_ids}
    if not entry_ids:
        return matches
    rows = list(
        FileMatch.objects.filter(
            Q(file__entry_id__in=entry_ids) | Q(other__entry_id__in=entry_ids)
        )
        .exclude(file__entry__state=EntryState.WITHDRAWN)
        .exclude(other__entry__state=EntryState.WITHDRAWN)
        .values(*_COLUMNS)
    )
    if not rows:
        return matches
    numbers = _file_numbers(
        {row[f"{side}__entry_id"] for row in rows for side in _SIDES}
    )
    for row in rows:
        for side, other in (("file", "other"), ("other", "file")):
            if row[f"{side}__entry_id"] in matches:
                matches[row[f"{side}__entry_id"]].append(
                    _value(row, side, other, numbers)
                )
    for values in matches.values():
        values.sort(
            key=lambda value: (
                value.file_number,
                not value.same_file,
                value.distance,
                value.other_reference,
                value.other_file_number,
            )
        )
    return matches


def _file_numbers(entry_ids):
    """{file ID: its number in its entry} for the files of ``entry_ids``."""
    numbers = {}
    counts = {}
    files = (
        ArtworkFile.objects.filter(entry_id__in=entry_ids)
        .order_by("entry_id", "position", "id")
        .values_list("id", "entry_id")
    )
    for file_id, entry_id in files:
        counts[entry_id] = counts.get(entry_id, 0) + 1
        numbers[file_id] = counts[entry_id]
    return numbers


def _value(row, side, other, numbers):
    return FileMatchValue(
        entry_id=row[f"{side}__entry_id"],
        round_id=row[f"{side}__entry__round_id"],
        file_id=row[f"{side}_id"],
        file_number=numbers.get(row[f"{side}_id"], 0),
        other_entry_id=row[f"{other}__entry_id"],
        other_reference=row[f"{other}__entry__reference"] or "",
        other_round_id=row[f"{other}__entry__round_id"],
        other_round_title_en=row[f"{other}__entry__round__title_en"],
        other_round_title_zh_hant=row[f"{other}__entry__round__title_zh_hant"],
        other_round_year=row[f"{other}__entry__round__year"],
        other_file_id=row[f"{other}_id"],
        other_file_number=numbers.get(row[f"{other}_id"], 0),
        kind=row["kind"],
        distance=row["distance"],
    )
