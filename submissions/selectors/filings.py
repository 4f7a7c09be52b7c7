"""The entries caseworkers filed on artists' behalf, for staff: who files for
whom, round by round. A caseworker whose role was taken away keeps their
filings here; the entries stay with their artists."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q

from artsprize.accounts.enums import Role
from artsprize.common.i18n import localized
from submissions.models import Entry, Round

# The round's theme and rules are not shown with a filing.
_ROUND_TEXTS = ("theme_en", "theme_zh_hant", "rules_en", "rules_zh_hant")


@dataclass(frozen=True, slots=True)
class RoundFilings:
    """What one caseworker filed in one round."""

    round_id: int
    year: int
    title_en: str
    title_zh_hant: str
    entries: int
    artists: int

    @property
    def title(self):
        return localized(self, "title")


@dataclass(frozen=True, slots=True)
class CaseworkerFilings:
    """A caseworker, or a former one, and their filings by round, newest first.
    ``holds_role``: they are a caseworker now (the role, and an active account)."""

    user_id: int
    email: str
    holds_role: bool
    rounds: tuple[RoundFilings, ...]

    @property
    def entries(self):
        return sum(filings.entries for filings in self.rounds)


def _role_members():
    return (
        get_user_model()
        .groups.through.objects.filter(group__name=Role.CASEWORKER)
        .values("user_id")
    )


def caseworkers_and_filers():
    """People who have the caseworker role, and everyone who filed an entry for
    someone else (a caseworker who has lost the role since), each with
    ``holds_role`` (the role and an active account)."""
    members = _role_members()
    filers = Entry.objects.filter(filed_by__isnull=False).values("filed_by_id")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=members) | Q(pk__in=filers))
        .annotate(
            holds_role=Exists(members.filter(user_id=OuterRef("pk")))
            & Q(is_active=True)
        )
    )


def caseworker_filings():
    """Every caseworker and former caseworker (``caseworkers_and_filers``) with
    the number of entries and of artists they filed in each round: three
    queries, however many people, rounds and entries."""
    people = list(
        caseworkers_and_filers()
        .order_by("email", "pk")
        .values_list("pk", "email", "holds_role")
    )
    counts = list(
        Entry.objects.filter(filed_by__isnull=False)
        .values("filed_by_id", "round_id")
        .annotate(entries=Count("pk"), artists=Count("entrant_id", distinct=True))
        .order_by()
    )
    rounds = {
        row["pk"]: row
        for row in Round.objects.filter(
            pk__in={row["round_id"] for row in counts}
        ).values("pk", "year", "title_en", "title_zh_hant")
    }
    by_person = {}
    for row in counts:
        round_ = rounds[row["round_id"]]
        by_person.setdefault(row["filed_by_id"], []).append(
            RoundFilings(
                round_id=round_["pk"],
                year=round_["year"],
                title_en=round_["title_en"],
                title_zh_hant=round_["title_zh_hant"],
                entries=row["entries"],
                artists=row["artists"],
            )
        )
    return [
        CaseworkerFilings(
            user_id=pk,
            email=email or "",
            holds_role=holds_role,
            rounds=tuple(
                sorted(
                    by_person.get(pk, ()),
                    key=lambda filings: (-filings.year, -filings.round_id),
                )
            ),
        )
        for pk, email, holds_role in people
    ]


def filings_of(user):
    """The entries ``user`` filed, newest round first, then by reference code
    (drafts, which have none yet, last), with what the list shows: the round, the
    category and the artist's profile (for the public credit)."""
    return (
        Entry.objects.filter(filed_by=user)
        .select_related("round", "category", "entrant__profile")
        .defer(*(f"round__{name}" for name in _ROUND_TEXTS))
        .order_by(
            "-round__year",
            "-round_id",
            F("reference").asc(nulls_last=True),
            "-created_at",
            "-pk",
        )
    )
