from judging.models.assignments import Assignment, Conflict, CriterionScore, Score
from judging.models.awards import Award, AwardType
from judging.models.invitations import JudgeInvitation
from judging.models.publications import Publication
from judging.models.stages import (
    Criterion,
    DecisionNote,
    PanelMember,
    Stage,
    StageEntry,
)

__all__ = [
    "Assignment",
    "Award",
    "AwardType",
    "Conflict",
    "Criterion",
    "CriterionScore",
    "DecisionNote",
    "JudgeInvitation",
    "PanelMember",
    "Publication",
    "Score",
    "Stage",
    "StageEntry",
]
