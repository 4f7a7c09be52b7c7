from django.db import models
from django.utils.translation import gettext_lazy as _


class StageState(models.TextChoices):
    """A stage of judging: set up by staff, open for scoring, closed (scores
    fixed), finalised (its outcome decided)."""

    SETUP = "setup", _("Being set up")
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Closed")
    FINALISED = "finalised", _("Finalised")


class StageMode(models.TextChoices):
    """How judges of a stage give their judgement."""

    CRITERIA = "criteria", _("Weighted criteria")
    VOTE = "vote", _("Qualifying vote (yes / maybe / no)")
    RANKING = "ranking", _("Ranking (each judge orders their top works)")


class Visibility(models.TextChoices):
    """When a judge may see the other judges' scores and comments."""

    NEVER = "never", _("Never")
    AFTER_OWN = "after_own", _("After submitting their own score")
    AFTER_CLOSE = "after_close", _("After the stage closes")


class StageOutcome(models.TextChoices):
    """What being chosen for a stage that takes the entries advanced from
    another records for an entry."""

    LONGLISTED = "longlisted", _("Longlisted")
    SHORTLISTED = "shortlisted", _("Shortlisted")


class AssignmentMode(models.TextChoices):
    ALL = "all", _("Every judge scores every entry")
    BALANCED = "balanced", _("Balanced: each entry gets a set number of judges")


class Vote(models.TextChoices):
    YES = "yes", _("Yes")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("No")


class AwardKind(models.TextChoices):
    """What an award of a round is: a category's winner or runner-up, an
    honourable mention, or a special award (given by judges or staff, for one
    category or for all)."""

    CATEGORY_WINNER = "winner", _("Category winner")
    RUNNER_UP = "runner_up", _("Runner-up")
    HONOURABLE_MENTION = "honourable_mention", _("Honourable mention")
    SPECIAL = "special", _("Special award")
