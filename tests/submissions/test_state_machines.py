"""The file and guardian transition functions: every move of their tables, the
audit event, the lock and the side effects that wait for the commit."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from artsprize.common.enums import AuditVerb
from artsprize.common.models import AuditEvent
from submissions.enums import EntryState, FileState, GuardianState, MediaKind
from submissions.errors import EntryError, FileStateError, RoundError
from submissions.models import ArtworkFile, Entry, Round
from submissions.services.entries import ALLOWED_TRANSITIONS as ENTRY_TRANSITIONS
from submissions.services.entries import (
    GUARDIAN_TRANSITIONS,
    set_entry_state,
    set_guardian_state,
)
from submissions.services.files import FILE_TRANSITIONS, set_file_state
from submissions.services.processing import process_file, queue_processing
from submissions.services.rounds import ALLOWED_TRANSITIONS as ROUND_TRANSITIONS
from submissions.services.rounds import set_round_state
from tests.factories import make_entrant, make_round, make_staff
from tests.upload_helpers import make_entry

pytestmark = pytest.mark.django_db


def _moves(table):
    return [(old, new) for old in table for new in table]


def _file(state, **fields):
    entry = make_entry(make_entrant())
    return ArtworkFile.objects.create(
        entry=entry,
        owner=entry.entrant,
        kind=MediaKind.IMAGE,
        key=f"originals/{entry.round_id}/{entry.pk}-{state}",
        original_name="work.jpg",
        content_type="image/jpeg",
        declared_size=10,
        state=state,
        **fields,
    )


def _minor_entry(guardian_state, **fields):
    entry = make_entry(
        make_entrant(age=15),
        guardian_name="Chan Mei",
        guardian_email="mei@example.org",
        reference="HRAP-2026-0001",
        **fields,
    )
    Entry.objects.filter(pk=entry.pk).update(guardian_state=guardian_state)
    entry.refresh_from_db()
    return entry


def _events(obj):
    return list(
        AuditEvent.objects.for_object(obj)
        .order_by("id")
        .values_list("verb", "actor", "from_state", "to_state", "reason")
    )


@pytest.mark.parametrize(("old", "new"), _moves(FILE_TRANSITIONS))
def test_a_file_makes_exactly_the_moves_of_its_table(old, new):
    file = _file(old)
    staff = make_staff()

    if old == new:
        assert set_file_state(file, new, by=staff).state == old
        assert _events(file) == []
    elif new in FILE_TRANSITIONS[old]:
        moved = set_file_state(file, new, by=staff, reason="checked")
        assert ArtworkFile.objects.get(pk=file.pk).state == new == moved.state
        assert file.state == new
        assert _events(file) == [
            (AuditVerb.STATE_CHANGED, staff.pk, old, new, "checked")
        ]
    else:
        with pytest.raises(FileStateError):
            set_file_state(file, new, by=staff)
        assert ArtworkFile.objects.get(pk=file.pk).state == old
        assert _events(file) == []


def test_a_file_saves_the_fields_that_change_with_its_state():
    file = _file(FileState.AWAITING_UPLOAD)

    moved = set_file_state(
        file, FileState.UPLOADED, by=None, fields={"size": 10}, data={"size": 10}
    )

    stored = ArtworkFile.objects.get(pk=file.pk)
    assert (stored.state, stored.size) == (FileState.UPLOADED, 10)
    assert stored.uploaded_at == moved.uploaded_at is not None
    assert AuditEvent.objects.for_object(file).get().data == {"size": 10}


def test_a_file_another_request_moved_first_is_left_as_it_is():
    file = _file(FileState.UPLOADED)

    kept = set_file_state(
        file,
        FileState.REJECTED,
        by=None,
        only_if=lambda locked: locked.state == FileState.AWAITING_UPLOAD,
    )

    assert kept.state == FileState.UPLOADED
    assert _events(file) == []


def test_processing_is_queued_only_once_the_move_commits(
    django_capture_on_commit_callbacks,
):
    file = _file(FileState.AWAITING_UPLOAD)
    ran = []

    with django_capture_on_commit_callbacks() as callbacks:
        set_file_state(
            file,
            FileState.UPLOADED,
            by=None,
            queue=[lambda move: queue_processing(move.obj)],
            # Runs after the queued processing: it is there once the commit is.
            on_commit=[lambda: ran.append(ArtworkFile.objects.get(pk=file.pk).state)],
        )
        assert ran == []
        assert ArtworkFile.objects.get(pk=file.pk).state == FileState.UPLOADED

    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    # The eager task processed the file (whose object is not in storage).
    assert ran == [FileState.REJECTED]


def test_a_refused_move_queues_nothing(django_capture_on_commit_callbacks):
    file = _file(FileState.READY)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(FileStateError),
    ):
        set_file_state(
            file,
            FileState.UPLOADED,
            by=None,
            queue=[lambda move: queue_processing(move.obj)],
        )

    assert callbacks == []


@pytest.mark.parametrize(("old", "new"), _moves(GUARDIAN_TRANSITIONS))
def test_a_guardian_confirmation_makes_exactly_the_moves_of_its_table(old, new):
    entry = _minor_entry(old)

    if old == new:
        set_guardian_state(entry, new, by=None)
        assert _events(entry) == []
    elif new in GUARDIAN_TRANSITIONS[old]:
        set_guardian_state(entry, new, by=entry.entrant)
        assert Entry.objects.get(pk=entry.pk).guardian_state == new
        assert entry.guardian_state == new
        assert _events(entry) == [(AuditVerb.UPDATED, entry.entrant.pk, old, new, "")]
    else:
        with pytest.raises(EntryError) as caught:
            set_guardian_state(entry, new, by=None)
        assert caught.value.code == "guardian_not_allowed"
        assert Entry.objects.get(pk=entry.pk).guardian_state == old
        assert _events(entry) == []


def test_asking_a_guardian_mails_them_once_the_move_commits(
    django_capture_on_commit_callbacks,
):
    entry = _minor_entry(GuardianState.NOT_NEEDED, state=EntryState.SUBMITTED)

    with django_capture_on_commit_callbacks() as callbacks:
        set_guardian_state(entry, GuardianState.PENDING, by=entry.entrant)
        assert mail.outbox == []

    stored = Entry.objects.get(pk=entry.pk)
    assert stored.guardian_mailed_at is not None
    assert stored.guardian_confirmed_at is None
    assert len(callbacks) == 1
    callbacks[0]()
    assert [message.to for message in mail.outbox] == [["mei@example.org"]]


def test_confirming_records_when():
    entry = _minor_entry(GuardianState.PENDING)

    set_guardian_state(entry, GuardianState.CONFIRMED, by=None)

    assert Entry.objects.get(pk=entry.pk).guardian_confirmed_at is not None
    event = AuditEvent.objects.for_object(entry).get()
    assert event.data == {"fields": ["guardian_state"]}


@pytest.mark.skipif(
    not connection.features.has_select_for_update,
    reason="Row locks are tested where the database has them (SQLite has none)",
)
@pytest.mark.parametrize("machine", ["file", "guardian"])
def test_the_row_is_read_under_a_lock(machine):
    if machine == "file":
        obj = _file(FileState.UPLOADED)
        move = lambda: set_file_state(obj, FileState.PROCESSING, by=None)  # noqa: E731
        table = ArtworkFile._meta.db_table
    else:
        obj = _minor_entry(GuardianState.PENDING)
        move = lambda: set_guardian_state(obj, GuardianState.CONFIRMED, by=None)  # noqa: E731
        table = Entry._meta.db_table

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        move()

    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locks
    assert f'FROM "{table}"' in locks[0]


def test_the_move_to_processing_is_audited_beside_the_one_state_change():
    # No object in storage: the run claims the file and rejects it as missing.
    file = _file(FileState.UPLOADED)

    process_file(file, run="task-1")

    assert _events(file) == [
        (AuditVerb.UPDATED, None, FileState.UPLOADED, FileState.PROCESSING, ""),
        (
            AuditVerb.STATE_CHANGED,
            None,
            FileState.PROCESSING,
            FileState.REJECTED,
            "missing",
        ),
    ]
    claim = AuditEvent.objects.for_object(file).get(verb=AuditVerb.UPDATED)
    assert claim.data == {"run": "task-1", "attempt": 1}


def test_a_redelivered_run_audits_no_second_claim(django_capture_on_commit_callbacks):
    file = _file(
        FileState.PROCESSING, processing_run="task-1", processing_started_at=now()
    )
    Entry.objects.filter(pk=file.entry_id).update(state=EntryState.SUBMITTED)

    with django_capture_on_commit_callbacks() as callbacks:
        first = process_file(file, run="task-1")
    with django_capture_on_commit_callbacks() as again:
        process_file(file, run="task-1")

    assert (first.state, first.attempts) == (FileState.REJECTED, 1)
    assert _events(file) == [
        (
            AuditVerb.STATE_CHANGED,
            None,
            FileState.PROCESSING,
            FileState.REJECTED,
            "missing",
        ),
    ]
    # The rejection mail is queued by the move alone, once.
    assert (len(callbacks), len(again)) == (1, 0)


@pytest.mark.parametrize(("old", "new"), _moves(ROUND_TRANSITIONS))
def test_a_round_makes_exactly_the_moves_of_its_table(old, new):
    round_ = make_round(state=old)
    staff = make_staff()

    if new in ROUND_TRANSITIONS[old]:
        set_round_state(round_, new, by=staff, reason="planned")
        assert Round.objects.get(pk=round_.pk).state == new == round_.state
        assert _events(round_) == [
            (AuditVerb.STATE_CHANGED, staff.pk, old, new, "planned")
        ]
    elif old == new:
        set_round_state(round_, new, by=staff)
        assert _events(round_) == []
    else:
        with pytest.raises(RoundError):
            set_round_state(round_, new, by=staff)
        assert Round.objects.get(pk=round_.pk).state == old
        assert _events(round_) == []


@pytest.mark.parametrize(("old", "new"), _moves(ENTRY_TRANSITIONS))
def test_an_entry_makes_exactly_the_moves_of_its_table(old, new):
    entry = make_entry(make_entrant(), state=old)

    if new in ENTRY_TRANSITIONS[old]:
        set_entry_state(entry, new, by=entry.entrant)
        assert Entry.objects.get(pk=entry.pk).state == new == entry.state
        assert _events(entry) == [
            (AuditVerb.STATE_CHANGED, entry.entrant.pk, old, new, "")
        ]
    elif old == new:
        set_entry_state(entry, new, by=entry.entrant)
        assert _events(entry) == []
    else:
        with pytest.raises(EntryError) as caught:
            set_entry_state(entry, new, by=entry.entrant)
        assert caught.value.code == "not_allowed"
        assert Entry.objects.get(pk=entry.pk).state == old
        assert _events(entry) == []
