from artsprize.common.errors import DomainError


class JudgingError(DomainError):
    """A judging service refused what was asked (``code`` names the refusal)."""


class StageError(JudgingError):
    """A stage cannot be set up, or moved, as asked."""


class AssignmentError(JudgingError):
    """Assignments cannot be made or changed as asked."""


class ScoreError(JudgingError):
    """A score cannot be saved or submitted as asked."""


class InvitationError(JudgingError):
    """A judge's invitation cannot be sent or accepted as asked."""


class AwardError(JudgingError):
    """An award, or the round's decision, cannot be made or changed as asked."""
