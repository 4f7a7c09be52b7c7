"""Who may do what to rounds, entries and files, and when: the one place these
rules live. Views declare a permission (``artsprize.accounts.permissions``),
templates ask with ``{% has_perm %}``, and services call the predicates
themselves, so that each asks the same question the same way.

Every predicate takes ``(user, obj)``. The rules of time also take ``now``
(keyword-only, the server's clock by default), so that a service working "as of"
a moment asks the same rule at that moment. An artwork file counts as its entry
for the rules of who, and so does a copy (derivative) of a file.
"""

import rules
from django.utils import timezone

from artsprize.accounts.rules import is_caseworker, is_staff_member, registered
from submissions.enums import EntryState, FileState, RoundState

# Files whose object is complete in storage: the entrant may download them.
DOWNLOADABLE_STATES = frozenset(
    {FileState.UPLOADED, FileState.PROCESSING, FileState.READY, FileState.FAILED}
)


def _entry_of(obj):
    """The entry of a file or of one of its copies, or the entry itself."""
    obj = getattr(obj, "artwork_file", obj)
    return getattr(obj, "entry", obj)


# Who ------------------------------------------------------------------------------


@rules.predicate
def is_public_round(user, obj):
    """A round, or a category of one, that has left its draft."""
    round_ = getattr(obj, "round", obj)
    return round_ is not None and round_.state != RoundState.DRAFT


@rules.predicate
def is_entrant_of(user, obj):
    entry = _entry_of(obj)
    return entry is not None and entry.entrant_id == user.pk


@rules.predicate
def is_filer_of(user, obj):
    """A caseworker sees and changes the entries they filed for an artist."""
    entry = _entry_of(obj)
    return entry is not None and entry.filed_by_id == user.pk and is_caseworker(user)


is_entrants_side = is_entrant_of | is_filer_of
can_view_round = is_staff_member | is_public_round


# When -----------------------------------------------------------------------------


@rules.predicate
def round_takes_entries(user, round_, *, now=None):
    """Open by its state and before its deadline by the server's clock (beat may
    not have closed it yet)."""
    now = now or timezone.now()
    return (
        round_ is not None
        and round_.state == RoundState.OPEN
        and round_.closes_at is not None
        and now < round_.closes_at
    )


@rules.predicate
def entry_is_editable(user, entry, *, now=None):
    """Its fields, team and files may change: not withdrawn, round taking entries."""
    return (
        entry is not None
        and entry.state != EntryState.WITHDRAWN
        and round_takes_entries(user, entry.round, now=now)
    )


@rules.predicate
def entry_is_submittable(user, entry, *, now=None):
    """A draft of a round taking entries (what it still lacks is a list of
    problems, not a rule: see services.completeness)."""
    return (
        entry is not None
        and entry.state == EntryState.DRAFT
        and round_takes_entries(user, entry.round, now=now)
    )


@rules.predicate
def entry_finishes_uploads(user, entry, *, now=None):
    """Uploads already started may finish, and refused files be replaced: while
    the entry is editable, and for a submitted entry until the grace window after
    the deadline ends."""
    if entry is None:
        return False
    if entry_is_editable(user, entry, now=now):
        return True
    round_ = entry.round
    now = now or timezone.now()
    return (
        entry.state == EntryState.SUBMITTED
        and round_.state in {RoundState.OPEN, RoundState.CLOSED}
        and round_.uploads_end_at is not None
        and now < round_.uploads_end_at
    )


def replacement_deadline(entry):
    """The moment ``entry_finishes_uploads`` ends for ``entry``: the deadline, or
    for a submitted entry the end of the grace window. None without a deadline."""
    if entry.state == EntryState.SUBMITTED:
        return entry.round.uploads_end_at
    return entry.round.closes_at


@rules.predicate
def file_is_changeable(user, file):
    """Whether a file may be removed or replaced, time apart: every file of a
    draft; of a submitted entry only a file that processing refused."""
    return file.state == FileState.REJECTED or file.entry.state == EntryState.DRAFT


@rules.predicate
def file_is_replaceable(user, file, *, now=None):
    return (
        file.state != FileState.AWAITING_UPLOAD
        and file_is_changeable(user, file)
        and entry_finishes_uploads(user, file.entry, now=now)
    )


@rules.predicate
def file_is_removable(user, file, *, now=None):
    """A refused file may always go; any other as long as it may be replaced."""
    return file.state == FileState.REJECTED or file_is_replaceable(user, file, now=now)


@rules.predicate
def file_is_downloadable(user, file):
    return file.state in DOWNLOADABLE_STATES


# Permissions ------------------------------------------------------------------------

rules.add_perm("submissions.manage_rounds", is_staff_member)
rules.add_perm("submissions.view_entry", is_staff_member | is_entrants_side)
# Changing an entry and uploading its files: its entrant or filer (staff read only).
# What the time allows the services check, each with its own message.
rules.add_perm("submissions.change_entry", is_entrants_side)
rules.add_perm("submissions.edit_entry", is_entrants_side & entry_is_editable)
rules.add_perm("submissions.submit_entry", is_entrants_side & entry_is_submittable)
rules.add_perm("submissions.replace_file", is_entrants_side & file_is_replaceable)
rules.add_perm("submissions.remove_file", is_entrants_side & file_is_removable)
# The original, as a download: the entrant's (or filing caseworker's) own copy;
# staff reach originals from the staff pages.
rules.add_perm("submissions.download_file", is_entrants_side & file_is_downloadable)
# The clean copies of a file (thumbnail, preview, the judges' copy) on the
# entrant's pages and on the staff page of the entry.
rules.add_perm("submissions.view_file_copy", is_entrants_side | is_staff_member)
# The staff page of an entry and the caseworkers' filings: the entry as the
# public would name it, without its entrant until someone reveals them.
rules.add_perm("submissions.manage_entries", is_staff_member)
# Opening an original from the staff pages is audited by the service that signs
# its URL (services.originals.open_original), which also asks
# ``file_is_downloadable``: an original may hold the camera, the place and the
# author's name.
rules.add_perm("submissions.open_original", is_staff_member)

# Screening a closed round's entries and releasing the results.
rules.add_perm("submissions.screen_entries", is_staff_member)

# Telling who made an entry is a deliberate staff act; the service that does it
# (services.identity.reveal_identity) writes the audit event.
rules.add_perm("submissions.reveal_identity", is_staff_member)
# Exporting a round's data (entries, files; with identity only with a reason):
# staff, and every export is audited (services.exports.export_round).
rules.add_perm("submissions.export_round", is_staff_member)


# A person's data (services.privacy) -----------------------------------------------


@rules.predicate
def is_archive_person(user, archive):
    """The person a copy of data is of."""
    return archive is not None and archive.person_id == user.pk


@rules.predicate
def is_archive_caseworker(user, archive):
    """The caseworker who asked for the copy of an artist they registered (an
    artist without an address fetches it through them)."""
    return (
        archive is not None
        and archive.requested_by_id == user.pk
        and is_caseworker(user)
        and registered(user, archive.person)
    )


@rules.predicate
def has_no_role(user):
    """An entrant only: staff, judges and caseworkers have their accounts removed
    by staff, who first hand their work over."""
    return (
        user.is_authenticated
        and not (user.is_superuser or user.is_staff)
        and not user.role_names
    )


rules.add_perm("submissions.request_data_archive", rules.is_authenticated)
rules.add_perm(
    "submissions.download_data_archive", is_archive_person | is_archive_caseworker
)
rules.add_perm("submissions.delete_own_account", has_no_role)
