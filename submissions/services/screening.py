"""Screening: staff check each submitted entry of a closed round against its rules
before judging, and release the outcome to the entrants at once.

An entry's screening moves ``unscreened → eligible | ineligible`` (and back, to
correct a decision) through ``set_screening``, the one place where it changes.
Ineligible needs a reason, kept in both languages as the entrant will read it: a
reason template's two texts, or what staff wrote. Entrants learn nothing until
``release_screening``; a decision corrected after the release is mailed on its
own. A round goes to judging only when every submitted entry is screened and the
results are released (``screening_problems``).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from artsprize.common.transitions import StateMachine, copy_row, refusal
from submissions.enums import EntryState, RoundState, ScreeningState
from submissions.errors import ScreeningError
from submissions.models import Entry, Round, ScreeningReason

REASON_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 300

SCREENING_TRANSITIONS = {
    ScreeningState.UNSCREENED: {ScreeningState.ELIGIBLE, ScreeningState.INELIGIBLE},
    ScreeningState.ELIGIBLE: {ScreeningState.INELIGIBLE, ScreeningState.UNSCREENED},
    ScreeningState.INELIGIBLE: {ScreeningState.ELIGIBLE, ScreeningState.UNSCREENED},
}

NOT_STAFF = _("Only staff screen entries.")
ROUND_NOT_CLOSED = _(
    "Entries are screened once the round has closed and until judging starts."
)
NOT_SUBMITTED = _("Only submitted entries are screened; this one was withdrawn.")
REASON_NEEDED = _("Give the reason why the entry is not eligible.")
REASON_TOO_LONG = _("The reason is too long: at most %(limit)s characters.")
NOTE_TOO_LONG = _("The note for judges is too long: at most %(limit)s characters.")
CHANGED_MEANWHILE = _(
    "%(reference)s was screened by %(who)s meanwhile: “%(decision)s”. "
    "Your decision was not saved; look at theirs and decide again."
)


def _locked(entry):
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=entry.pk)
    )


def _refresh(entry, locked):
    copy_row(entry, locked)
    entry._state.fields_cache.pop("screened_by", None)


SCREENINGS = StateMachine(
    model=Entry,
    states=ScreeningState,
    transitions=SCREENING_TRANSITIONS,
    refuse=refusal(
        ScreeningError,
        _("Screening cannot go from “%(old)s” to “%(new)s”."),
        code="not_allowed",
    ),
    field="screening",
    verb=AuditVerb.SCREENED,
    lock=_locked,
    refresh=_refresh,
)


@dataclass(frozen=True)
class Reason:
    """A screening reason in both languages."""

    en: str = ""
    zh_hant: str = ""

    @classmethod
    def of(cls, *, template=None, text=""):
        """The reason of a template, or the text staff wrote (the same in both
        languages: entrants read it as written); a text given wins."""
        text = str(text or "").strip()
        if text:
            return cls(en=text, zh_hant=text)
        if template is not None:
            return cls(en=template.text_en, zh_hant=template.text_zh_hant)
        return cls()

    def __bool__(self):
        return bool(self.en or self.zh_hant)


def check_screenable(round_):
    if round_.state != RoundState.CLOSED:
        raise ScreeningError(ROUND_NOT_CLOSED, code="round_not_closed")


def _check_staff(by):
    # Imported here: the predicates of who are the accounts' rules.
    from artsprize.accounts.rules import is_staff_member

    if by is None or not is_staff_member(by):
        raise ScreeningError(NOT_STAFF, code="not_allowed")


def _check_reason(decision, reason):
    if decision == ScreeningState.INELIGIBLE and not reason:
        raise ScreeningError(REASON_NEEDED, code="reason_needed")
    if max(len(reason.en), len(reason.zh_hant)) > REASON_MAX_LENGTH or "\x00" in (
        reason.en + reason.zh_hant
    ):
        raise ScreeningError(
            REASON_TOO_LONG % {"limit": REASON_MAX_LENGTH}, code="reason_too_long"
        )


def _decision_of(entry):
    return (
        ScreeningState(entry.screening),
        Reason(entry.screening_reason_en, entry.screening_reason_zh_hant),
    )


def changed_meanwhile(entry):
    """What staff read when another decision came first."""
    who = entry.screened_by.email if entry.screened_by else _("another member of staff")
    decision = ScreeningState(entry.screening).label
    if entry.screening_reason:
        decision = f"{decision}: {entry.screening_reason}"
    return CHANGED_MEANWHILE % {
        "reference": entry.reference,
        "who": who,
        "decision": decision,
    }


def set_screening(entry, decision, *, by, template=None, text="", seen=None, now=None):
    """Decide the screening of a submitted entry of a closed round.

    ``template`` (a ``ScreeningReason``) or ``text`` gives the reason; ineligible
    needs one, eligible keeps one given (a note the entrant reads), unscreened
    drops it. ``seen`` is the screening the person deciding was shown: when the
    entry holds another by then (a colleague screened it at the same time), the
    decision is refused with theirs (``ScreeningError`` code ``changed``, its
    ``current`` the entry), unless both decided the same. A decision repeated
    (a double click) changes nothing. After the release, the entrant is mailed
    the corrected outcome.
    """
    now = now or timezone.now()
    decision = ScreeningState(decision)
    _check_staff(by)
    reason = Reason()
    if decision != ScreeningState.UNSCREENED:
        reason = Reason.of(template=template, text=text)
    _check_reason(decision, reason)
    with SCREENINGS.holding(entry) as locked:
        check_screenable(locked.round)
        if locked.state != EntryState.SUBMITTED:
            raise ScreeningError(NOT_SUBMITTED, code="not_submitted")
        current, current_reason = _decision_of(locked)
        if current == decision and current_reason == reason:
            return entry
        if seen is not None and ScreeningState(seen) != current:
            raise ScreeningError(
                changed_meanwhile(locked), code="changed", current=locked
            )
        decided = decision != ScreeningState.UNSCREENED
        fields = {
            "screening_reason_en": reason.en,
            "screening_reason_zh_hant": reason.zh_hant,
            "screened_by_id": by.pk if decided else None,
            "screened_at": now if decided else None,
        }
        data = {"template": template.pk} if template is not None and not text else {}
        audit_reason = "\n".join(
            dict.fromkeys(filter(None, [reason.en, reason.zh_hant]))
        )
        if current == decision:
            # The same decision with another reason: only the reason changes.
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save(update_fields=[*fields, "updated_at"])
            record_event(
                actor=by,
                verb=AuditVerb.SCREENED,
                obj=locked,
                from_state=current,
                to_state=decision,
                reason=audit_reason,
                data={"fields": ["screening_reason"], **data},
            )
        else:
            SCREENINGS.move(
                locked,
                decision,
                by=by,
                reason=audit_reason,
                changes=fields,
                data=data,
                held=True,
            )
        if locked.round.screening_released_at is not None:
            enqueue("submissions.mail_screening_changed", locked.pk)
    return entry


def set_content_warning(entry, *, warning, note="", by, now=None):
    """Flag a work whose content judges should be warned of (violence, self-harm,
    nudity…) with a short note they read first; no flag, no note."""
    _check_staff(by)
    note = str(note or "").strip() if warning else ""
    if len(note) > NOTE_MAX_LENGTH or "\x00" in note:
        raise ScreeningError(
            NOTE_TOO_LONG % {"limit": NOTE_MAX_LENGTH}, code="note_too_long"
        )
    with SCREENINGS.holding(entry) as locked:
        if locked.round.state not in {RoundState.CLOSED, RoundState.JUDGING}:
            raise ScreeningError(ROUND_NOT_CLOSED, code="round_not_closed")
        if (
            locked.content_warning == bool(warning)
            and locked.content_warning_note == note
        ):
            return entry
        locked.content_warning = bool(warning)
        locked.content_warning_note = note
        locked.save(
            update_fields=["content_warning", "content_warning_note", "updated_at"]
        )
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            reason=note,
            data={"fields": ["content_warning"], "content_warning": bool(warning)},
        )
    return entry


@dataclass
class BulkOutcome:
    """What a bulk decision did: the references decided, and those skipped with
    the reason why."""

    done: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def screen_entries(round_, seen, decision, *, by, template=None, text="", now=None):
    """Decide many entries of ``round_`` alike. ``seen`` maps each entry's ID to
    the screening shown when it was selected; an entry changed since, withdrawn,
    or of another round is skipped with the reason, the others are decided."""
    now = now or timezone.now()
    _check_staff(by)
    check_screenable(round_)
    decision = ScreeningState(decision)
    reason = Reason.of(template=template, text=text)
    _check_reason(decision, reason)
    outcome = BulkOutcome()
    entries = Entry.objects.filter(round=round_, pk__in=list(seen)).order_by(
        "reference"
    )
    found = {entry.pk: entry for entry in entries}
    for entry_id in sorted(set(seen) - set(found)):
        outcome.skipped.append((f"#{entry_id}", _("It is not an entry of this round.")))
    for entry in found.values():
        try:
            with transaction.atomic():
                set_screening(
                    entry,
                    decision,
                    by=by,
                    template=template,
                    text=text,
                    seen=seen[entry.pk],
                    now=now,
                )
        except ScreeningError as error:
            outcome.skipped.append((entry.reference or f"#{entry.pk}", error.message))
        else:
            outcome.done.append(entry.reference)
    return outcome


def screening_counts(round_):
    """The round's submitted entries by screening state, in one query."""
    counts = Entry.objects.filter(round=round_, state=EntryState.SUBMITTED).aggregate(
        **{
            state.value: Count("pk", filter=Q(screening=state))
            for state in ScreeningState
        }
    )
    return {ScreeningState(state): count for state, count in counts.items()}


def screening_problems(round_):
    """What keeps a round from going to judging, for staff: an entry not screened,
    results not released. A round without submitted entries has nothing to wait
    for."""
    problems = []
    counts = screening_counts(round_)
    unscreened = counts[ScreeningState.UNSCREENED]
    if not sum(counts.values()):
        return problems
    if unscreened:
        problems.append(
            _("%(count)s submitted entries are not screened yet.")
            % {"count": unscreened}
        )
    elif round_.screening_released_at is None:
        problems.append(_("The screening results have not been released yet."))
    return problems


def screening_started(round_):
    """Whether staff have screened an entry of the round or released the results."""
    return (
        round_.screening_released_at is not None
        or Entry.objects.filter(round=round_)
        .exclude(screening=ScreeningState.UNSCREENED)
        .exists()
    )


def release_screening(round_, *, by, now=None):
    """Tell every entrant of the round the outcome of screening, once: one mail to
    each entrant (or the caseworker who filed for an artist without an address)
    with all their entries. Refused while an entry is unscreened. A second call
    (a double click) changes nothing and mails nobody again."""
    now = now or timezone.now()
    _check_staff(by)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.screening_released_at is not None:
            round_.screening_released_at = locked.screening_released_at
            return round_
        check_screenable(locked)
        counts = screening_counts(locked)
        if counts[ScreeningState.UNSCREENED]:
            raise ScreeningError(
                _(
                    "Every submitted entry must be screened before the results are "
                    "released: %(count)s are not."
                )
                % {"count": counts[ScreeningState.UNSCREENED]},
                code="unscreened",
            )
        locked.screening_released_at = now
        locked.save(update_fields=["screening_released_at", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.SCREENING_RELEASED,
            obj=locked,
            data={state.value: count for state, count in counts.items()},
        )
        entrants = (
            Entry.objects.filter(round=locked, state=EntryState.SUBMITTED)
            .order_by("entrant_id")
            .values_list("entrant_id", flat=True)
            .distinct()
        )
        for entrant_id in entrants:
            enqueue("submissions.mail_screening_results", locked.pk, entrant_id)
    round_.screening_released_at = now
    return round_


def active_reasons():
    return ScreeningReason.objects.filter(is_active=True)


def save_screening_reason(reason, *, data, by):
    """Add a reason template (``reason`` None) or change one; entries keep the
    text they were given."""
    _check_staff(by)
    reason = reason or ScreeningReason()
    created = reason.pk is None
    changed = [name for name, value in data.items() if getattr(reason, name) != value]
    for name in changed:
        setattr(reason, name, data[name])
    if created or changed:
        with transaction.atomic():
            reason.save()
            record_event(
                actor=by,
                verb=AuditVerb.CREATED if created else AuditVerb.UPDATED,
                obj=reason,
                data={"fields": sorted(changed)},
            )
    return reason
