from submissions.models.derivatives import Derivative
from submissions.models.entries import ArtworkFile, Entry, TeamMember
from submissions.models.rounds import Category, Round

__all__ = ["ArtworkFile", "Category", "Derivative", "Entry", "Round", "TeamMember"]
