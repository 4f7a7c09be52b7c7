"""Entries: who may enter which category, making and changing an entry, submitting
it, and the one function through which an entry's state changes."""

import logging
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.selectors import is_address_of
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from artsprize.common.transitions import StateMachine, refusal
from submissions.enums import (
    ConsentMethod,
    Credit,
    EntryState,
    GuardianState,
    RoundState,
)
from submissions.errors import EntryError
from submissions.models import Entry, Round, TeamMember
from submissions.rules import is_entrants_side, round_takes_entries
from submissions.selectors import entry_count_toward_cap
from submissions.services.completeness import (
    GUARDIAN_IS_ENTRANT,
    field_problems,
    guardian_problems,
    submission_problems,
)
from submissions.services.eligibility import check_eligible, needs_guardian

logger = logging.getLogger(__name__)

ALLOWED_TRANSITIONS = {
    EntryState.DRAFT: {EntryState.SUBMITTED, EntryState.WITHDRAWN},
    EntryState.SUBMITTED: {EntryState.WITHDRAWN},
    EntryState.WITHDRAWN: set(),
}

# What an entrant (or their caseworker) may set through create_entry and
# update_entry; the category goes through its own checks.
TEXT_FIELDS = (
    "title_en",
    "title_zh_hant",
    "medium",
    "dimensions",
    "statement",
    "text_work",
    "guardian_name",
    "consent_notes",
)
CONSENT_FIELDS = (
    "consent_original",
    "consent_terms",
    "consent_website",
    "consent_social",
    "consent_press",
    "consent_exhibition",
    "consent_auction",
)
ENTRY_FIELDS = (
    *TEXT_FIELDS,
    *CONSENT_FIELDS,
    "year_made",
    "credit",
    "guardian_email",
    "consent_method",
)
EARLIEST_YEAR = 1900

NOT_ALLOWED = _("You may not change this entry.")
NOT_OPEN_YET = _("This round is not open for entries yet.")
CREATE_DEADLINE_PASSED = _(
    "The deadline of this round has passed: it takes no more entries."
)
CHANGE_DEADLINE_PASSED = _(
    "The deadline has passed: the entry can no longer be changed."
)
SUBMIT_DEADLINE_PASSED = _(
    "The deadline has passed, so the entry could not be submitted. Your draft is kept."
)
WITHDRAWN_CANNOT_CHANGE = _("A withdrawn entry cannot be changed.")
NEEDS_CORRECTING = _("Some details of the entry need correcting.")
NOT_READY = _("The entry is not ready to be submitted yet.")


def _locked(entry):
    return (
        # Only the entry's row: locking the round's would queue every entrant.
        Entry.objects.select_for_update(of=("self",))
        .select_related("round", "category", "entrant__profile")
        .get(pk=entry.pk)
    )


def _refresh(entry, locked):
    """Give the caller's instance what the locked row now holds."""
    if entry is locked:
        return
    for field in Entry._meta.concrete_fields:
        setattr(entry, field.attname, getattr(locked, field.attname))
    # Cached relations may point at what the row no longer holds (a new category).
    entry._state.fields_cache.clear()


def _check_taking_entries(round_, now, *, by, deadline_message):
    if round_takes_entries(by, round_, now=now):
        return
    if round_.state == RoundState.DRAFT:
        raise EntryError(NOT_OPEN_YET, code="round_not_open")
    raise EntryError(deadline_message, code="deadline_passed")


def check_may_change(entry, by):
    """The entrant, or the caseworker who filed the entry; staff only read."""
    if by is None or not by.is_authenticated or not is_entrants_side(by, entry):
        raise EntryError(NOT_ALLOWED, code="not_allowed")


ENTRIES = StateMachine(
    model=Entry,
    states=EntryState,
    transitions=ALLOWED_TRANSITIONS,
    refuse=refusal(
        EntryError,
        _("An entry cannot go from “%(old)s” to “%(new)s”."),
        code="not_allowed",
    ),
    lock=_locked,
    refresh=_refresh,
)


def _check_changeable(entry, *, by, now):
    check_may_change(entry, by)
    if entry.state == EntryState.WITHDRAWN:
        raise EntryError(WITHDRAWN_CANNOT_CHANGE, code="withdrawn")
    _check_taking_entries(
        entry.round, now, by=by, deadline_message=CHANGE_DEADLINE_PASSED
    )


@contextmanager
def _changing(entry, *, by, now, held=False):
    """The entry's row, locked, for a change by ``by``: refused when they may not
    change it, when it was withdrawn or when its round no longer takes entries.
    Afterwards ``entry`` holds what the row holds. ``held``: ``entry`` is the row
    the caller's transaction has locked, changed as it is."""
    if held:
        _check_changeable(entry, by=by, now=now)
        yield entry
        return
    with ENTRIES.holding(entry) as locked:
        _check_changeable(locked, by=by, now=now)
        yield locked


def _clean_values(data, *, entrant, now):
    """The entry fields in ``data``, checked so that the database never refuses them.

    Forms check the same things first with the fields' messages; this is the
    guard for every other caller.
    """
    unknown = sorted(set(data) - set(ENTRY_FIELDS))
    if unknown:
        raise ValueError(f"Not entry fields: {', '.join(unknown)}")
    values, problems = {}, []
    for name, value in data.items():
        field = Entry._meta.get_field(name)
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        if name in TEXT_FIELDS or name == "guardian_email":
            value = "" if value is None else str(value)
            if "\x00" in value:
                problems.append(
                    _("%(field)s contains a character that cannot be stored.")
                    % {"field": label}
                )
            elif field.max_length and len(value) > field.max_length:
                problems.append(
                    _("%(field)s is too long: at most %(limit)s characters.")
                    % {"field": label, "limit": field.max_length}
                )
        elif name in CONSENT_FIELDS:
            value = bool(value)
        elif name == "year_made":
            if value is not None and (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not EARLIEST_YEAR <= value <= now.year
            ):
                problems.append(
                    _("The year made must be between %(first)s and %(last)s.")
                    % {"first": EARLIEST_YEAR, "last": now.year}
                )
        elif name == "credit":
            if value not in Credit.values:
                problems.append(_("Choose how the work is credited."))
        elif name == "consent_method":
            value = value or ""
            if value and value not in ConsentMethod.values:
                problems.append(_("Choose how the artist gave their consent."))
        if name == "guardian_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                problems.append(_("Enter a valid e-mail address for the guardian."))
            else:
                if is_address_of(entrant, value):
                    problems.append(GUARDIAN_IS_ENTRANT)
        values[name] = value
    if problems:
        raise EntryError(NEEDS_CORRECTING, code="invalid", problems=problems)
    return values


# --- Making and changing entries ------------------------------------------------------


def create_entry(round_, *, entrant, category, data, by, now=None):
    """Start a draft entry in an open round, within the round's cap per entrant.

    ``by`` is the entrant, or a caseworker filing for them (then ``filed_by``).
    """
    now = now or timezone.now()
    if by is None or (by.pk != entrant.pk and not by.is_caseworker):
        raise EntryError(
            _("Only the entrant or a caseworker can make an entry."),
            code="not_allowed",
        )
    values = _clean_values(data, entrant=entrant, now=now)
    with transaction.atomic():
        # The entrant's row serialises their creates (two tabs, a double click, a
        # caseworker at the same time): the count below cannot go stale.
        get_user_model().objects.select_for_update().only("pk").get(pk=entrant.pk)
        # The round as the caller read it, in this request: its state and the
        # time decide, as for every other change of an entry.
        _check_taking_entries(
            round_, now, by=by, deadline_message=CREATE_DEADLINE_PASSED
        )
        check_eligible(round_, category, entrant)
        if entry_count_toward_cap(round_, entrant) >= round_.entry_cap:
            raise EntryError(
                _(
                    "The entrant already has %(cap)s entries in this round, the most "
                    "allowed. Withdraw one to make another."
                )
                % {"cap": round_.entry_cap},
                code="cap_reached",
            )
        entry = Entry.objects.create(
            round=round_,
            category=category,
            entrant=entrant,
            filed_by=by if by.pk != entrant.pk else None,
            **values,
        )
        record_event(
            actor=by,
            verb=AuditVerb.CREATED,
            obj=entry,
            data={
                "round": round_.pk,
                "category": category.pk,
                "fields": sorted(values),
            },
        )
    return entry


def update_entry(entry, *, data, by, now=None, held=False):
    """Change the fields given, while the round takes entries.

    A draft may move to another category its entrant fits; a submitted entry keeps
    its category and must stay complete. A new guardian address on a submitted
    entry asks the new guardian to confirm. ``held``: ``entry`` is the row the
    caller's transaction has locked.
    """
    now = now or timezone.now()
    data = dict(data)
    new_category = data.pop("category", None)
    if not held and _holds_already(entry, new_category, data, by=by, now=now):
        return entry
    with _changing(entry, by=by, now=now, held=held) as locked:
        category = locked.category
        changed = []
        if new_category is not None and new_category.pk != locked.category_id:
            if locked.state != EntryState.DRAFT:
                raise EntryError(
                    _("The category of a submitted entry cannot change."),
                    code="category_locked",
                )
            check_eligible(locked.round, new_category, locked.entrant)
            category = new_category
            changed.append("category")
        values = _clean_values(data, entrant=locked.entrant, now=now)
        changed += [
            name for name, value in values.items() if getattr(locked, name) != value
        ]
        if not changed:
            return entry
        locked.category = category
        for name, value in values.items():
            setattr(locked, name, value)
        update_fields = [*changed, "updated_at"]
        if locked.state == EntryState.SUBMITTED:
            problems = field_problems(locked) + guardian_problems(locked)
            if problems:
                raise EntryError(
                    _("A submitted entry must stay complete."),
                    code="invalid",
                    problems=problems,
                )
        locked.save(update_fields=update_fields)
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": sorted(changed)},
        )
        guardian_changed = {"guardian_name", "guardian_email"} & set(changed)
        if (
            locked.state == EntryState.SUBMITTED
            and guardian_changed
            and needs_guardian(locked)
        ):
            # The guardian the entry now names confirms in their turn.
            if locked.guardian_state == GuardianState.PENDING:
                _ask_guardian_again(locked, now=now)
            else:
                set_guardian_state(
                    locked, GuardianState.PENDING, by=by, now=now, held=True
                )
    return entry


def _holds_already(entry, new_category, data, *, by, now):
    """Whether ``entry``, as the caller read it in this request, already holds
    ``data`` (a form sent back unchanged): then nothing is locked or written. The
    same refusals apply as to a change."""
    _check_changeable(entry, by=by, now=now)
    if new_category is not None and new_category.pk != entry.category_id:
        return False
    values = _clean_values(data, entrant=entry.entrant, now=now)
    return all(getattr(entry, name) == value for name, value in values.items())


def set_team_members(entry, *, members, by, now=None, held=False):
    """Replace the team of an entry. ``members`` are dicts of TeamMember fields.
    ``held``: ``entry`` is the row the caller's transaction has locked."""
    now = now or timezone.now()
    allowed = {"name", "role", "agreed", "is_minor", "guardian_name", "guardian_agreed"}
    with _changing(entry, by=by, now=now, held=held) as locked:
        if members and not locked.category.allows_teams:
            raise EntryError(
                _("This category does not take team entries."), code="no_teams"
            )
        rows, problems = [], []
        for position, member in enumerate(members):
            unknown = sorted(set(member) - allowed)
            if unknown:
                raise ValueError(f"Not team member fields: {', '.join(unknown)}")
            name = str(member.get("name") or "").strip()
            role = str(member.get("role") or "").strip()
            guardian_name = str(member.get("guardian_name") or "").strip()
            if not name:
                problems.append(_("Give the name of every team member."))
            for value in (name, role, guardian_name):
                if len(value) > 200 or "\x00" in value:
                    problems.append(
                        _(
                            "A team member's name, role or guardian is too long or "
                            "has a character that cannot be stored."
                        )
                    )
            rows.append(
                TeamMember(
                    entry=locked,
                    position=position,
                    name=name,
                    role=role,
                    agreed=bool(member.get("agreed")),
                    is_minor=bool(member.get("is_minor")),
                    guardian_name=guardian_name,
                    guardian_agreed=bool(member.get("guardian_agreed")),
                )
            )
        if problems:
            raise EntryError(
                NEEDS_CORRECTING, code="invalid", problems=list(dict.fromkeys(problems))
            )
        locked.team_members.all().delete()
        TeamMember.objects.bulk_create(rows)
        # A team fetched with the entry is no longer the team.
        getattr(locked, "_prefetched_objects_cache", {}).pop("team_members", None)
        locked.save(update_fields=["updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": ["team_members"], "team_size": len(rows)},
        )
    return entry


def set_image_description(artwork_file, *, alt_text, by, now=None, held=False):
    """Set the description of an image, read to people who cannot see it.
    ``held``: ``artwork_file.entry`` is the row the caller's transaction has
    locked, and ``artwork_file`` was read under that lock."""
    now = now or timezone.now()
    alt_text = str(alt_text or "").strip()
    if len(alt_text) > 2000 or "\x00" in alt_text:
        raise EntryError(
            _(
                "The description is too long (at most 2000 characters) or has a "
                "character that cannot be stored."
            ),
            code="invalid",
        )
    with _changing(artwork_file.entry, by=by, now=now, held=held) as locked:
        file = artwork_file if held else locked.files.get(pk=artwork_file.pk)
        if file.alt_text == alt_text:
            return file
        file.alt_text = alt_text
        file.save(update_fields=["alt_text", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": ["alt_text"], "file": file.pk},
        )
    artwork_file.alt_text = alt_text
    return file


# --- The one transition function ------------------------------------------------------


# The year's counter moved on by one, in one statement, creating it for the
# year's first code. A number once given is never given again, even when its
# entry is withdrawn; the rounds of a year share the numbers.
TAKE_NUMBER = (
    "INSERT INTO submissions_referencecounter (year, last) VALUES (%s, 1)"
    " ON CONFLICT (year) DO UPDATE SET last = submissions_referencecounter.last + 1"
    " RETURNING last"
)
# A number taken for a submission refused under the lock goes back, when nobody
# of another round of the year took one since.
GIVE_BACK_NUMBER = (
    "UPDATE submissions_referencecounter SET last = last - 1"
    " WHERE year = %s AND last = %s"
)


def _advance_reference_counter(round_id):
    """The round's row, locked and its count of codes advanced, in one statement,
    and the number of the code it gives (``taken_number``) from its year's
    counter."""
    advanced = Round.objects.raw(
        "UPDATE submissions_round"
        " SET last_reference_number = last_reference_number + 1, updated_at = %s"
        " WHERE id = %s RETURNING *",
        [timezone.now(), round_id],
    )
    round_ = next(iter(advanced))
    with connections[Round.objects.db].cursor() as cursor:
        cursor.execute(TAKE_NUMBER, [round_.year])
        (round_.taken_number,) = cursor.fetchone()
    return round_


def _give_back_number(round_):
    Round.objects.filter(pk=round_.pk).update(
        last_reference_number=F("last_reference_number") - 1
    )
    with connections[Round.objects.db].cursor() as cursor:
        cursor.execute(GIVE_BACK_NUMBER, [round_.year, round_.taken_number])


def _reference(round_):
    """The reference code of the number the round's year last gave it."""
    return f"HRAP-{round_.year}-{round_.taken_number:04d}"


def queue_guardian_mail(entry):
    enqueue("submissions.mail_guardian_confirmation", entry.pk)


def set_entry_state(entry, new_state, *, by, reason="", now=None, held=False):
    """Move an entry to ``new_state``; the one place where an entry's state changes.

    Submitting gives the entry its reference code (once), asks a guardian to confirm
    when the entrant is under 18, and mails the receipt. ``held``: ``entry`` is the
    row the caller's transaction has locked, and ``entry.round`` the round's, its
    reference counter already advanced for the entry when it has no reference.
    """
    now = now or timezone.now()

    def changes(move):
        locked = move.obj
        if move.new == EntryState.WITHDRAWN:
            return {"withdrawn_at": now}
        fields = {"submitted_at": now}
        if not locked.reference:
            round_ = (
                locked.round if held else _advance_reference_counter(locked.round_id)
            )
            fields["reference"] = _reference(round_)
        if needs_guardian(locked):
            if locked.guardian_state == GuardianState.PENDING:
                _ask_guardian_again(locked, now=now)
            elif locked.guardian_state == GuardianState.NOT_NEEDED:
                set_guardian_state(
                    locked, GuardianState.PENDING, by=by, now=now, held=True
                )
        else:
            set_guardian_state(
                locked, GuardianState.NOT_NEEDED, by=by, now=now, held=True
            )
        return fields

    def queue(move):
        if move.new == EntryState.SUBMITTED:
            enqueue("submissions.mail_entry_receipt", move.obj.pk)

    ENTRIES.move(
        entry,
        new_state,
        by=by,
        reason=reason,
        changes=changes,
        queue=[queue],
        held=held,
    )
    return entry


# A guardian's confirmation of an entrant under 18. CONFIRMED stays until the
# guardian the entry names changes; an entry that no longer needs one drops it.
GUARDIAN_TRANSITIONS = {
    GuardianState.NOT_NEEDED: {GuardianState.PENDING},
    GuardianState.PENDING: {GuardianState.CONFIRMED, GuardianState.NOT_NEEDED},
    GuardianState.CONFIRMED: {GuardianState.PENDING, GuardianState.NOT_NEEDED},
}


GUARDIANS = StateMachine(
    model=Entry,
    states=GuardianState,
    transitions=GUARDIAN_TRANSITIONS,
    refuse=refusal(
        EntryError,
        _("A guardian's confirmation cannot go from “%(old)s” to “%(new)s”."),
        code="guardian_not_allowed",
    ),
    field="guardian_state",
    verb=AuditVerb.UPDATED,
    lock=_locked,
    refresh=_refresh,
)


def _ask_guardian_again(locked, *, now):
    """A guardian already asked is asked again (a new address): the state stays."""
    locked.guardian_mailed_at = now
    locked.save(update_fields=["guardian_mailed_at", "updated_at"])
    queue_guardian_mail(locked)


def set_guardian_state(
    entry, new_state, *, by, reason="", data=None, now=None, held=False
):
    """Move an entry's guardian confirmation to ``new_state``; the one place where
    it changes. Asking (PENDING) mails the guardian their link; ``held`` says that
    ``entry`` is the row the caller's transaction has locked.
    """
    now = now or timezone.now()

    def changes(move):
        if move.new == GuardianState.PENDING:
            return {"guardian_mailed_at": now, "guardian_confirmed_at": None}
        if move.new == GuardianState.CONFIRMED:
            return {"guardian_confirmed_at": now}
        return {}

    def queue(move):
        if move.new == GuardianState.PENDING:
            queue_guardian_mail(move.obj)

    GUARDIANS.move(
        entry,
        new_state,
        by=by,
        reason=reason,
        changes=changes,
        data={"fields": ["guardian_state"], **(data or {})},
        queue=[queue],
        held=held,
    )
    return entry


def submit_entry(entry, *, by, now=None, held=False):
    """Submit a complete entry before the deadline, by the server's clock.

    A second call on a submitted entry returns it unchanged: a double click submits
    once and mails once. Refused after the closing moment; the draft is kept.
    ``held``: ``entry`` is the row the caller's transaction has locked, read with
    its files and team under that lock; a refusal then changes nothing, and what
    the caller changed before stays theirs to keep.
    """
    now = now or timezone.now()
    if held:
        _submit_held(entry, by=by, now=now)
        return entry
    with ENTRIES.holding(entry) as locked:
        _submit_held(locked, by=by, now=now)
    return entry


def _submit_held(locked, *, by, now):
    check_may_change(locked, by)
    if locked.state == EntryState.SUBMITTED:
        return
    if locked.state == EntryState.WITHDRAWN:
        raise EntryError(_("A withdrawn entry cannot be submitted."), code="withdrawn")
    _check_taking_entries(
        locked.round, now, by=by, deadline_message=SUBMIT_DEADLINE_PASSED
    )
    problems = submission_problems(locked)
    if problems:
        raise EntryError(NOT_READY, code="incomplete", problems=problems)
    # The round's row is locked last and held briefly (every submission of the
    # round waits for it in the deadline rush), taking the entry's number in the
    # same statement. Read under the lock that closing and extending take, the
    # deadline moved a moment ago is the one that counts.
    if locked.reference:
        locked.round = Round.objects.select_for_update().get(pk=locked.round_id)
    else:
        locked.round = _advance_reference_counter(locked.round_id)
    if not round_takes_entries(by, locked.round, now=now):
        if not locked.reference:
            # Under the same lock, nobody of the round took a number since: it
            # goes back.
            _give_back_number(locked.round)
        _check_taking_entries(
            locked.round, now, by=by, deadline_message=SUBMIT_DEADLINE_PASSED
        )
    set_entry_state(locked, EntryState.SUBMITTED, by=by, now=now, held=True)


def withdraw_entry(entry, *, by, reason="", now=None):
    """Withdraw a draft or a submitted entry. Its place under the cap is freed; its
    reference code is kept and never given to another entry."""
    check_may_change(entry, by)
    return set_entry_state(entry, EntryState.WITHDRAWN, by=by, reason=reason, now=now)
