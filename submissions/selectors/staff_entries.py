"""What the staff page of an entry reads: the entry as the public would name it,
its files with the copies shown there, its team, in a fixed number of queries."""

from django.db.models import Prefetch

from submissions.enums import JUDGE_COPY_KINDS, DerivativeKind
from submissions.models import ArtworkFile, Derivative, Entry, TeamMember

# The round's theme and rules (up to 40,000 characters) are shown on the round's
# page, not on an entry's.
_ROUND_TEXTS = ("theme_en", "theme_zh_hant", "rules_en", "rules_zh_hant")
# The copies the page links to: the thumbnail, and the copy judges get.
STAFF_PAGE_COPIES = frozenset({DerivativeKind.THUMB, *JUDGE_COPY_KINDS.values()})


def entries_for_staff():
    """Entries with their round, category, entrant's profile (for the public
    credit), screener, files (ordered, each with ``copies``: its thumbnail and
    judges' copy) and team (ordered): four queries for one entry, however many
    files it has."""
    return (
        Entry.objects.select_related(
            "round", "category", "entrant__profile", "screened_by"
        )
        .defer(*(f"round__{name}" for name in _ROUND_TEXTS))
        .prefetch_related(
            Prefetch(
                "files",
                queryset=ArtworkFile.objects.order_by(
                    "position", "id"
                ).prefetch_related(
                    Prefetch(
                        "derivatives",
                        queryset=Derivative.objects.filter(
                            kind__in=STAFF_PAGE_COPIES
                        ).order_by("kind", "index"),
                        to_attr="copies",
                    )
                ),
            ),
            Prefetch(
                "team_members", queryset=TeamMember.objects.order_by("position", "id")
            ),
        )
    )
