from submissions.models.derivatives import Derivative
from submissions.models.entries import (
    ArtworkFile,
    Entry,
    FileMatch,
    ScreeningReason,
    TeamMember,
)
from submissions.models.rounds import Category, Round

__all__ = [
    "ArtworkFile",
    "Category",
    "Derivative",
    "Entry",
    "FileMatch",
    "Round",
    "ScreeningReason",
    "TeamMember",
]
