"""Entries: who may enter which category, making and changing an entry, submitting
it, and the one function through which an entry's state changes."""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.accounts.selectors import is_address_of
from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.text import count_words
from artsprize.common.transitions import StateMachine
from submissions.enums import (
    ConsentMethod,
    Credit,
    EntryState,
    FileState,
    GuardianState,
    MediaKind,
    RoundState,
)
from submissions.errors import EntryError
from submissions.models import Entry, Round, TeamMember
from submissions.selectors import entry_count_toward_cap

logger = logging.getLogger(__name__)

ADULT_AGE = 18

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
WRONG_CATEGORY = _("This category is not part of this round.")
NEEDS_CORRECTING = _("Some details of the entry need correcting.")
NOT_READY = _("The entry is not ready to be submitted yet.")
GUARDIAN_IS_ENTRANT = _(
    "The guardian's e-mail address is one of the entrant's own. Give the address of "
    "a parent or guardian: they confirm the entry themselves."
)


# --- Age and eligibility -------------------------------------------------------------


def age_at(date_of_birth, day):
    """Age in whole years on ``day``. Someone born on 29 February turns a year older
    on 1 March in other years."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def closing_day(round_):
    """The date, in Hong Kong, on which the round closes: ages are counted on it."""
    if round_.closes_at is None:
        return timezone.localdate()
    return timezone.localdate(round_.closes_at)


def entrant_age(round_, *, entrant):
    """The entrant's age at the round's closing date; None without a profile."""
    try:
        profile = entrant.profile
    except ObjectDoesNotExist:
        return None
    return age_at(profile.date_of_birth, closing_day(round_))


def meets_minimum_age(round_, *, entrant):
    age = entrant_age(round_, entrant=entrant)
    return age is not None and age >= round_.minimum_age


def category_fits_age(category, age):
    if age is None:
        return False
    if category.min_age is not None and age < category.min_age:
        return False
    return category.max_age is None or age <= category.max_age


def eligible_categories(round_, *, entrant):
    """The round's categories the entrant's age at the closing date fits; none when
    the round's minimum age is not met."""
    if not meets_minimum_age(round_, entrant=entrant):
        return []
    age = entrant_age(round_, entrant=entrant)
    return [
        category
        for category in round_.categories.all()
        if category_fits_age(category, age)
    ]


def needs_guardian(entry):
    """Whether the entrant is under 18 at the round's closing date."""
    age = entrant_age(entry.round, entrant=entry.entrant)
    return age is not None and age < ADULT_AGE


def _eligibility_problem(round_, category, entrant):
    age = entrant_age(round_, entrant=entrant)
    if age is None:
        return _("An entrant needs a profile with a date of birth to enter.")
    if age < round_.minimum_age:
        return _(
            "Entrants must be at least %(age)s years old at the closing date of this "
            "round."
        ) % {"age": round_.minimum_age}
    if not category_fits_age(category, age):
        return _(
            "The entrant's age at the closing date does not fit the category "
            "“%(category)s”."
        ) % {"category": category.name}
    return None


def _check_eligible(round_, category, entrant):
    if category.round_id != round_.pk:
        raise EntryError(WRONG_CATEGORY, code="wrong_category")
    problem = _eligibility_problem(round_, category, entrant)
    if problem:
        raise EntryError(problem, code="not_eligible")


# --- Checks shared by the services ----------------------------------------------------


def is_taking_entries(round_, *, now=None):
    """Open by its state and by the server's clock; beat may not have closed it yet."""
    now = now or timezone.now()
    return (
        round_.state == RoundState.OPEN
        and round_.closes_at is not None
        and now < round_.closes_at
    )


def _check_taking_entries(round_, now, *, deadline_message):
    if is_taking_entries(round_, now=now):
        return
    if round_.state == RoundState.DRAFT:
        raise EntryError(NOT_OPEN_YET, code="round_not_open")
    raise EntryError(deadline_message, code="deadline_passed")


def check_may_change(entry, by):
    """The entrant, or the caseworker who filed the entry; staff only read."""
    if by is None or not by.has_perm("submissions.change_entry", entry):
        raise EntryError(NOT_ALLOWED, code="not_allowed")


def _locked(entry):
    return (
        # Only the entry's row: locking the round's would queue every entrant.
        Entry.objects.select_for_update(of=("self",))
        .select_related("round", "category", "entrant")
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


def statement_problem(statement, category):
    """The statement is over the category's word limit: a draft keeps it, submitting
    refuses it."""
    words = count_words(statement)
    if words > category.statement_word_limit:
        return _(
            "The artist statement has %(count)s words; this category allows at most "
            "%(limit)s."
        ) % {"count": words, "limit": category.statement_word_limit}
    return None


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
        current = Round.objects.get(pk=round_.pk)
        _check_taking_entries(current, now, deadline_message=CREATE_DEADLINE_PASSED)
        _check_eligible(current, category, entrant)
        if entry_count_toward_cap(current, entrant) >= current.entry_cap:
            raise EntryError(
                _(
                    "The entrant already has %(cap)s entries in this round, the most "
                    "allowed. Withdraw one to make another."
                )
                % {"cap": current.entry_cap},
                code="cap_reached",
            )
        entry = Entry.objects.create(
            round=current,
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
                "round": current.pk,
                "category": category.pk,
                "fields": sorted(values),
            },
        )
    return entry


def update_entry(entry, *, data, by, now=None):
    """Change the fields given, while the round takes entries.

    A draft may move to another category its entrant fits; a submitted entry keeps
    its category and must stay complete. A new guardian address on a submitted
    entry asks the new guardian to confirm.
    """
    now = now or timezone.now()
    data = dict(data)
    new_category = data.pop("category", None)
    with transaction.atomic():
        locked = _locked(entry)
        check_may_change(locked, by)
        if locked.state == EntryState.WITHDRAWN:
            raise EntryError(WITHDRAWN_CANNOT_CHANGE, code="withdrawn")
        _check_taking_entries(
            locked.round, now, deadline_message=CHANGE_DEADLINE_PASSED
        )
        category = locked.category
        changed = []
        if new_category is not None and new_category.pk != locked.category_id:
            if locked.state != EntryState.DRAFT:
                raise EntryError(
                    _("The category of a submitted entry cannot change."),
                    code="category_locked",
                )
            _check_eligible(locked.round, new_category, locked.entrant)
            category = new_category
            changed.append("category")
        values = _clean_values(data, entrant=locked.entrant, now=now)
        changed += [
            name for name, value in values.items() if getattr(locked, name) != value
        ]
        if not changed:
            _refresh(entry, locked)
            return entry
        locked.category = category
        for name, value in values.items():
            setattr(locked, name, value)
        update_fields = [*changed, "updated_at"]
        if locked.state == EntryState.SUBMITTED:
            problems = _field_problems(locked) + _guardian_problems(locked)
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
    _refresh(entry, locked)
    return entry


def set_team_members(entry, *, members, by, now=None):
    """Replace the team of an entry. ``members`` are dicts of TeamMember fields."""
    now = now or timezone.now()
    allowed = {"name", "role", "agreed", "is_minor", "guardian_name", "guardian_agreed"}
    with transaction.atomic():
        locked = _locked(entry)
        check_may_change(locked, by)
        if locked.state == EntryState.WITHDRAWN:
            raise EntryError(WITHDRAWN_CANNOT_CHANGE, code="withdrawn")
        _check_taking_entries(
            locked.round, now, deadline_message=CHANGE_DEADLINE_PASSED
        )
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
        locked.save(update_fields=["updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={"fields": ["team_members"], "team_size": len(rows)},
        )
    _refresh(entry, locked)
    return entry


def describe_file(artwork_file, *, alt_text, by, now=None):
    """Set the description of an image, read to people who cannot see it."""
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
    with transaction.atomic():
        locked = _locked(artwork_file.entry)
        check_may_change(locked, by)
        if locked.state == EntryState.WITHDRAWN:
            raise EntryError(WITHDRAWN_CANNOT_CHANGE, code="withdrawn")
        _check_taking_entries(
            locked.round, now, deadline_message=CHANGE_DEADLINE_PASSED
        )
        file = locked.files.get(pk=artwork_file.pk)
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


# --- What a submitted entry needs -----------------------------------------------------


def _field_problems(entry):
    problems = []
    if not (entry.title_en.strip() or entry.title_zh_hant.strip()):
        problems.append(_("Give the work a title in English or Chinese."))
    if not entry.medium.strip():
        problems.append(_("Say what the medium of the work is."))
    if not entry.statement.strip():
        problems.append(_("Write an artist statement."))
    else:
        problem = statement_problem(entry.statement, entry.category)
        if problem:
            problems.append(problem)
    if not entry.consent_original:
        problems.append(_("Confirm that the work is the artist's own original work."))
    if not entry.consent_terms:
        problems.append(_("Accept the terms of the prize."))
    if entry.filed_by_id and not entry.consent_method:
        problems.append(_("Record how the artist gave their consent to the entry."))
    return problems


def _file_problems(entry):
    category = entry.category
    kinds = set(category.media_kinds)
    files = [f for f in entry.files.all() if f.state != FileState.REJECTED]
    problems = []
    typed = MediaKind.TEXT in kinds and entry.text_work.strip()
    if not typed and not any(f.kind in kinds for f in files):
        if MediaKind.TEXT in kinds:
            problems.append(_("Add at least one file of the work, or type it in."))
        else:
            problems.append(_("Add at least one file of the work."))
    for file in files:
        if file.kind not in kinds:
            problems.append(
                _("This category does not take files like “%(name)s”: remove it.")
                % {"name": file.original_name}
            )
    if len(files) > category.max_files:
        problems.append(
            _(
                "This category takes at most %(limit)s files per work; the entry has "
                "%(count)s."
            )
            % {"limit": category.max_files, "count": len(files)}
        )
    for file in files:
        if file.kind == MediaKind.IMAGE and not file.alt_text.strip():
            problems.append(
                _("Describe the image “%(name)s” for people who cannot see it.")
                % {"name": file.original_name}
            )
    return problems


def _team_problems(entry):
    members = list(entry.team_members.all())
    problems = []
    if members and not entry.category.allows_teams:
        problems.append(
            _("This category does not take team entries: remove the team members.")
        )
    for member in members:
        if not member.agreed:
            problems.append(
                _("Confirm that %(name)s agreed to the entry.") % {"name": member.name}
            )
        if member.is_minor and not (
            member.guardian_name.strip() and member.guardian_agreed
        ):
            problems.append(
                _(
                    "%(name)s is under 18: give their guardian's name and confirm "
                    "that the guardian agreed."
                )
                % {"name": member.name}
            )
    return problems


def _guardian_problems(entry):
    if not needs_guardian(entry):
        return []
    problems = []
    if not entry.guardian_name.strip():
        problems.append(
            _("The entrant is under 18: give the name of a parent or guardian.")
        )
    if not entry.guardian_email.strip():
        problems.append(
            _(
                "The entrant is under 18: give the e-mail address of a parent or "
                "guardian, who will be asked to confirm."
            )
        )
    elif is_address_of(entry.entrant, entry.guardian_email):
        problems.append(GUARDIAN_IS_ENTRANT)
    return problems


def submission_problems(entry):
    """What keeps an entry from being submitted, as messages for the entrant.

    Files may still be uploading or processing: entries arrive in the last minutes
    and their uploads may finish within the round's grace window.
    """
    problems = _field_problems(entry)
    problems += _file_problems(entry)
    problems += _team_problems(entry)
    eligibility = _eligibility_problem(entry.round, entry.category, entry.entrant)
    if eligibility:
        problems.append(eligibility)
    problems += _guardian_problems(entry)
    return problems


# --- The one transition function ------------------------------------------------------


def _allocate_reference(round_id):
    """The next reference code of a round; a number once given is never given again,
    even when its entry is withdrawn."""
    round_ = Round.objects.select_for_update().get(pk=round_id)
    round_.last_reference_number += 1
    round_.save(update_fields=["last_reference_number", "updated_at"])
    return f"HRAP-{round_.year}-{round_.last_reference_number:04d}"


def queue_receipt_mail(entry):
    from submissions.tasks import mail_entry_receipt

    entry_id = entry.pk
    transaction.on_commit(lambda: mail_entry_receipt.delay(entry_id), robust=True)


def queue_guardian_mail(entry):
    from submissions.tasks import mail_guardian_confirmation

    entry_id = entry.pk
    transaction.on_commit(
        lambda: mail_guardian_confirmation.delay(entry_id), robust=True
    )


def _entry_refused(old, new):
    return EntryError(
        _("An entry cannot go from “%(old)s” to “%(new)s”.")
        % {"old": old.label, "new": new.label},
        code="not_allowed",
    )


ENTRIES = StateMachine(
    model=Entry,
    states=EntryState,
    transitions=ALLOWED_TRANSITIONS,
    refuse=_entry_refused,
    lock=_locked,
    refresh=_refresh,
)


def set_entry_state(entry, new_state, *, by, reason="", now=None):
    """Move an entry to ``new_state``; the one place where an entry's state changes.

    Submitting gives the entry its reference code (once), asks a guardian to confirm
    when the entrant is under 18, and mails the receipt.
    """
    now = now or timezone.now()

    def changes(move):
        locked = move.obj
        if move.new == EntryState.WITHDRAWN:
            return {"withdrawn_at": now}
        fields = {"submitted_at": now}
        if not locked.reference:
            fields["reference"] = _allocate_reference(locked.round_id)
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
            queue_receipt_mail(move.obj)

    ENTRIES.move(entry, new_state, by=by, reason=reason, changes=changes, queue=[queue])
    return entry


# A guardian's confirmation of an entrant under 18. CONFIRMED stays until the
# guardian the entry names changes; an entry that no longer needs one drops it.
GUARDIAN_TRANSITIONS = {
    GuardianState.NOT_NEEDED: {GuardianState.PENDING},
    GuardianState.PENDING: {GuardianState.CONFIRMED, GuardianState.NOT_NEEDED},
    GuardianState.CONFIRMED: {GuardianState.PENDING, GuardianState.NOT_NEEDED},
}


def _guardian_refused(old, new):
    return EntryError(
        _("A guardian's confirmation cannot go from “%(old)s” to “%(new)s”.")
        % {"old": old.label, "new": new.label},
        code="guardian_not_allowed",
    )


GUARDIANS = StateMachine(
    model=Entry,
    states=GuardianState,
    transitions=GUARDIAN_TRANSITIONS,
    refuse=_guardian_refused,
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


def submit_entry(entry, *, by, now=None):
    """Submit a complete entry before the deadline, by the server's clock.

    A second call on a submitted entry returns it unchanged: a double click submits
    once and mails once. Refused after the closing moment; the draft is kept.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(entry)
        check_may_change(locked, by)
        if locked.state == EntryState.SUBMITTED:
            _refresh(entry, locked)
            return entry
        if locked.state == EntryState.WITHDRAWN:
            raise EntryError(
                _("A withdrawn entry cannot be submitted."), code="withdrawn"
            )
        _check_taking_entries(
            locked.round, now, deadline_message=SUBMIT_DEADLINE_PASSED
        )
        problems = submission_problems(locked)
        if problems:
            raise EntryError(NOT_READY, code="incomplete", problems=problems)
        # The round's row is locked last and held briefly (every submission of the
        # round waits for it in the deadline rush). Read under the lock that closing
        # and extending take, the deadline moved a moment ago is the one that counts.
        locked.round = Round.objects.select_for_update().get(pk=locked.round_id)
        _check_taking_entries(
            locked.round, now, deadline_message=SUBMIT_DEADLINE_PASSED
        )
        set_entry_state(locked, EntryState.SUBMITTED, by=by, now=now)
    _refresh(entry, locked)
    return entry


def withdraw_entry(entry, *, by, reason="", now=None):
    """Withdraw a draft or a submitted entry. Its place under the cap is freed; its
    reference code is kept and never given to another entry."""
    check_may_change(entry, by)
    return set_entry_state(entry, EntryState.WITHDRAWN, by=by, reason=reason, now=now)


# --- Deadline reminders ---------------------------------------------------------------

REMINDERS = (
    ("reminded_48h_at", datetime.timedelta(hours=48)),
    ("reminded_3h_at", datetime.timedelta(hours=3)),
)


def remind_unsubmitted_drafts(*, now=None):
    """Mail the entrants of drafts in open rounds 48 hours and 3 hours before closing.

    Each reminder goes once per entry, to drafts that existed at its moment; a draft
    that reaches the 3-hour moment without its 48-hour reminder gets only the 3-hour
    one. Run by beat every quarter of an hour. Returns the entry ids reminded, by
    field.
    """
    from submissions.tasks import mail_deadline_reminder

    now = now or timezone.now()
    reminded = {}
    for index, (field, before) in enumerate(REMINDERS):
        later = REMINDERS[index + 1][1] if index + 1 < len(REMINDERS) else None
        due = Entry.objects.filter(
            state=EntryState.DRAFT,
            round__state=RoundState.OPEN,
            round__closes_at__gt=now,
            round__closes_at__lte=now + before,
            entrant__is_active=True,
            entrant__email__isnull=False,
            **{f"{field}__isnull": True},
        ).exclude(entrant__email="")
        if later is not None:
            due = due.filter(round__closes_at__gt=now + later)
        ids = []
        for pk, created_at, closes_at in due.values_list(
            "pk", "created_at", "round__closes_at"
        ).order_by("pk"):
            if created_at > closes_at - before:
                continue
            with transaction.atomic():
                # Claimed by one conditional update: two beats at once send once.
                claimed = Entry.objects.filter(
                    pk=pk, state=EntryState.DRAFT, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if claimed:
                    transaction.on_commit(
                        lambda pk=pk, field=field: mail_deadline_reminder.delay(
                            pk, field
                        ),
                        robust=True,
                    )
                    ids.append(pk)
        reminded[field] = ids
    return reminded
