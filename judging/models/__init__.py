from judging.models.assignments import Assignment, Conflict, CriterionScore, Score
from judging.models.invitations import JudgeInvitation
from judging.models.stages import Criterion, PanelMember, Stage, StageEntry

__all__ = [
    "Assignment",
    "Conflict",
    "Criterion",
    "CriterionScore",
    "JudgeInvitation",
    "PanelMember",
    "Score",
    "Stage",
    "StageEntry",
]
