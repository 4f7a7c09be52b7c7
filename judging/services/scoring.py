"""A judge's score of one assigned entry: saved as a draft while it is typed,
then submitted.

By the stage's mode a score holds a value per criterion (on the criterion's
scale, halves only where it allows them), a vote (yes / maybe / no) or a place
in the judge's ranking (1 to the stage's ranking size, each place given to one
work only); with it, a comment for the panel and a private note. A draft may be
partial; submitting needs it complete. A submitted score stays submitted when it
is edited again while the stage is open (the edit must stay complete); there is
no way back to a draft: the judge corrects it until the stage closes.

Each judge writes only their own row (``Score`` of their assignment, locked
while it is saved), so two judges at once lose nothing. One judge in two windows:
the later save wins, and its answer says that it replaced a save the window had
not seen (``base_version`` older than the stored version). The stage is read
with a shared lock, so a save and the stage's closing never cross: after the
close, nothing changes.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.selectors import row_or_none
from judging.enums import StageMode, StageState, Vote
from judging.errors import ScoreError
from judging.models import (
    Conflict,
    Criterion,
    CriterionScore,
    PanelMember,
    Score,
    Stage,
)
from judging.rules import is_conflicted
from submissions.blind import NotJudgeable, blind_entry

TEXT_MAX_LENGTH = 5000

NOT_YOURS = _("This entry is not assigned to you.")
CONFLICTED = _("You declared a conflict with this entry: it is not yours to score.")
STAGE_NOT_OPEN = _("This stage is not open for scoring: scores cannot change now.")
OUT_OF_SCALE = _("Give a score from %(low)s to %(high)s.")
NO_HALVES = _("Give a whole number: this criterion has no half points.")
HALVES_ONLY = _("Give a whole or a half point (for example 7 or 7.5).")
NOT_A_NUMBER = _("Give a number.")
UNKNOWN_VOTE = _("Choose yes, maybe or no.")
RANK_OUT_OF_RANGE = _("Give a place from 1 to %(size)s.")
RANK_TAKEN = _("You gave place %(rank)s to %(reference)s already.")
TEXT_TOO_LONG = _("At most %(limit)s characters.")
CRITERION_MISSING = _("Score this criterion before submitting.")
VOTE_MISSING = _("Choose your vote before submitting.")
INCOMPLETE = _("The score is not complete: see the fields marked.")
INVALID = _("The score was not saved: see the fields marked.")


@dataclass(frozen=True, slots=True)
class SavedScore:
    """What a save did: the score's new ``version``, whether it ``replaced`` a
    save the sender had not seen (another window's), and whether the score is
    ``submitted``."""

    score: Score
    version: int
    replaced: bool
    submitted: bool


def criterion_field(criterion):
    """The name of a criterion's value in a score's data (forms, JSON)."""
    return f"criterion_{criterion.pk}"


def _lock_stage_state(stage_id):
    """The stage's state and closing time, read with a shared lock held to the
    transaction's end: judges saving at once do not wait for each other, and the
    stage's closing (which locks the row for update) waits for the saves under
    way, and they for it. SQLite has no row locks: its transactions write one
    at a time, which keeps the same order."""
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    stage = next(
        iter(
            Stage.objects.raw(
                f"SELECT id, state, closes_at FROM {Stage._meta.db_table}"  # noqa: S608
                f" WHERE id = %s{lock}",
                [stage_id],
            )
        ),
        None,
    )
    if stage is None:
        return None, None
    return stage.state, stage.closes_at


def _check_allowed(assignment, by, now):
    if by is None or assignment.judge_id != by.pk:
        raise ScoreError(NOT_YOURS, code="not_yours")
    state, closes_at = _lock_stage_state(assignment.stage_id)
    if state != StageState.OPEN or (closes_at is not None and closes_at <= now):
        raise ScoreError(STAGE_NOT_OPEN, code="stage_not_open")
    if is_conflicted(by, assignment):
        raise ScoreError(CONFLICTED, code="conflicted")


def _value(raw):
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(NOT_A_NUMBER) from None
    if not value.is_finite():
        raise ValueError(NOT_A_NUMBER)
    return value


def _check_criterion(criterion, raw):
    value = _value(raw)
    if value is None:
        return None
    if value < criterion.scale_min or value > criterion.scale_max:
        raise ValueError(
            OUT_OF_SCALE % {"low": criterion.scale_min, "high": criterion.scale_max}
        )
    doubled = value * 2
    if doubled != doubled.to_integral_value():
        raise ValueError(HALVES_ONLY if criterion.half_points else NO_HALVES)
    if not criterion.half_points and value != value.to_integral_value():
        raise ValueError(NO_HALVES)
    return value.quantize(Decimal("0.1"))


def _check_rank(stage, raw):
    value = _value(raw)
    if value is None:
        return None
    if value != value.to_integral_value() or not 1 <= value <= stage.ranking_size:
        raise ValueError(RANK_OUT_OF_RANGE % {"size": stage.ranking_size})
    return int(value)


def _text(raw):
    text = str(raw or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValueError(TEXT_TOO_LONG % {"limit": TEXT_MAX_LENGTH})
    return text


def _clean(stage, criteria, data):
    """The score's values from ``data`` (keys ``criterion_<id>``, ``vote``,
    ``rank``, ``comment``, ``private_note``), and the problems found, as
    ``{field: message}``."""
    problems = {}
    values = {"criteria": {}, "vote": "", "rank": None}

    def check(field, how, raw):
        try:
            return how(raw)
        except ValueError as error:
            problems[field] = error.args[0]
            return None

    if stage.mode == StageMode.CRITERIA:
        for criterion in criteria:
            field = criterion_field(criterion)
            values["criteria"][criterion.pk] = check(
                field,
                lambda raw, c=criterion: _check_criterion(c, raw),
                data.get(field),
            )
    elif stage.mode == StageMode.VOTE:
        vote = str(data.get("vote") or "").strip()
        if vote and vote not in Vote.values:
            problems["vote"] = UNKNOWN_VOTE
        else:
            values["vote"] = vote
    elif stage.mode == StageMode.RANKING:
        values["rank"] = check(
            "rank", lambda raw: _check_rank(stage, raw), data.get("rank")
        )
    values["comment"] = check("comment", _text, data.get("comment")) or ""
    values["private_note"] = (
        check("private_note", _text, data.get("private_note")) or ""
    )
    return values, problems


def _missing(stage, criteria, values):
    """What a submitted score lacks, as ``{field: message}``. A ranking score is
    complete without a place: the work is outside the judge's top works."""
    if stage.mode == StageMode.CRITERIA:
        return {
            criterion_field(criterion): CRITERION_MISSING
            for criterion in criteria
            if values["criteria"].get(criterion.pk) is None
        }
    if stage.mode == StageMode.VOTE and not values["vote"]:
        return {"vote": VOTE_MISSING}
    return {}


def _check_rank_free(assignment, rank):
    """A place is given to one work of the judge's in a stage: another work
    holding it is named by its reference code. The judge's membership of the
    panel is locked first, so that two windows of one judge cannot give one
    place twice; other judges do not wait."""
    if rank is None:
        return
    list(
        PanelMember.objects.select_for_update()
        .filter(stage_id=assignment.stage_id, judge_id=assignment.judge_id)
        .values_list("pk", flat=True)
    )
    holder = (
        Score.objects.filter(
            assignment__stage_id=assignment.stage_id,
            assignment__judge_id=assignment.judge_id,
            rank=rank,
        )
        .exclude(assignment_id=assignment.pk)
        .exclude(
            assignment__entry_id__in=Conflict.objects.filter(
                judge_id=assignment.judge_id
            ).values("entry_id")
        )
        .values_list("assignment__entry_id", flat=True)
        .first()
    )
    if holder is None:
        return
    try:
        reference = blind_entry(holder).reference
    except NotJudgeable:
        reference = "—"
    message = RANK_TAKEN % {"rank": rank, "reference": reference}
    raise ScoreError(message, code="rank_taken", problems=[("rank", message)])


def _locked_score(assignment):
    """The score of ``assignment``, locked (made when there is none yet: by
    whichever of the judge's windows comes first)."""
    locked = Score.objects.select_for_update().filter(assignment_id=assignment.pk)
    score = row_or_none(locked)
    if score is None:
        Score.objects.bulk_create(
            [Score(assignment_id=assignment.pk)], ignore_conflicts=True
        )
        score = row_or_none(locked)
    return score


def _total(criteria, values):
    """The weighted mean of the criteria's values given (None when none is)."""
    weighted = Decimal(0)
    weights = Decimal(0)
    for criterion in criteria:
        value = values["criteria"].get(criterion.pk)
        if value is not None:
            weighted += value * criterion.weight
            weights += criterion.weight
    if not weights:
        return None
    return (weighted / weights).quantize(Decimal("0.001"))


def _criteria(stage):
    if stage.mode != StageMode.CRITERIA:
        return []
    return list(Criterion.objects.filter(stage_id=stage.pk).order_by("position", "id"))


@transaction.atomic
def save_score(
    assignment, *, data, base_version, by, submit=False, now=None, criteria=None
):
    """Save ``by``'s score of ``assignment`` from ``data``: a draft, or submitted
    with ``submit=True`` (or when it was submitted before). ``base_version`` is
    the version the sender's form was loaded with. Returns a ``SavedScore``;
    raises ``ScoreError`` (``problems``: ``(field, message)`` pairs) when the
    score may not be saved, or not as given. ``criteria``: the stage's criteria
    when the caller has them."""
    now = now or timezone.now()
    _check_allowed(assignment, by, now)
    stage = assignment.stage
    if criteria is None:
        criteria = _criteria(stage)
    values, problems = _clean(stage, criteria, data)
    if problems:
        raise ScoreError(INVALID, code="invalid", problems=list(problems.items()))
    score = _locked_score(assignment)
    submitting = submit or score.submitted_at is not None
    if submitting:
        missing = _missing(stage, criteria, values)
        if missing:
            raise ScoreError(
                INCOMPLETE, code="incomplete", problems=list(missing.items())
            )
    if stage.mode == StageMode.RANKING:
        _check_rank_free(assignment, values["rank"])
    try:
        base = int(base_version)
    except (TypeError, ValueError):
        base = 0
    replaced = base < score.version
    score.vote = values["vote"]
    score.rank = values["rank"]
    score.total = _total(criteria, values)
    score.comment = values["comment"]
    score.private_note = values["private_note"]
    score.version += 1
    score.saved_at = now
    newly_submitted = submit and score.submitted_at is None
    if submit:
        score.submitted_at = score.submitted_at or now
    score.save(
        update_fields=[
            "vote",
            "rank",
            "total",
            "comment",
            "private_note",
            "version",
            "saved_at",
            "submitted_at",
        ]
    )
    if stage.mode == StageMode.CRITERIA:
        _store_criteria(score, criteria, values)
    if submit:
        record_event(
            actor=by,
            verb=AuditVerb.SCORE_SUBMITTED,
            obj=assignment,
            data={
                "stage": assignment.stage_id,
                "entry": assignment.entry_id,
                "version": score.version,
                "first": newly_submitted,
            },
        )
    return SavedScore(
        score=score,
        version=score.version,
        replaced=replaced,
        submitted=score.submitted_at is not None,
    )


def _store_criteria(score, criteria, values):
    given = {pk: value for pk, value in values["criteria"].items() if value is not None}
    if len(given) < len(criteria):
        CriterionScore.objects.filter(score=score).exclude(
            criterion_id__in=list(given)
        ).delete()
    if given:
        CriterionScore.objects.bulk_create(
            [
                CriterionScore(score=score, criterion_id=pk, value=value)
                for pk, value in given.items()
            ],
            update_conflicts=True,
            unique_fields=["score", "criterion"],
            update_fields=["value"],
        )
