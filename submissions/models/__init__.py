from submissions.models.derivatives import Derivative, PublicCopy
from submissions.models.entries import (
    ArtworkFile,
    Entry,
    FileMatch,
    ScreeningReason,
    TeamMember,
)
from submissions.models.privacy import DataArchive
from submissions.models.rounds import Category, ReferenceCounter, Round

__all__ = [
    "ArtworkFile",
    "Category",
    "DataArchive",
    "Derivative",
    "Entry",
    "FileMatch",
    "PublicCopy",
    "ReferenceCounter",
    "Round",
    "ScreeningReason",
    "TeamMember",
]
