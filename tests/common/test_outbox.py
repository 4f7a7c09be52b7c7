"""The outbox: side effects recorded with the change that causes them, sent after
the commit, sent again when the broker lost them, and mails sent once."""

import contextlib
import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from artsprize.celery import app
from artsprize.common import local_s3
from artsprize.common.models import OutboxMessage
from artsprize.common.outbox import KEEP_DONE, resend_lost_messages
from submissions.enums import EntryState
from submissions.services.entries import submit_entry
from submissions.tasks import mail_entry_receipt
from tests import entry_factories, factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    round_ = entry_factories.make_open_round()
    return entry_factories.make_complete_entry(round_, entrant=factories.make_entrant())


@contextlib.contextmanager
def broker_down():
    """The broker cannot be reached: sending a task fails as it would in
    production, against a port where nothing listens."""
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{local_s3.free_port()}/0"
    # Connections are pooled per broker address: new pools, for the dead one and
    # then for the real one again.
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = app.amqp._producer_pool = None


def _pending():
    return list(
        OutboxMessage.objects.filter(done_at__isnull=True).values_list("task", "args")
    )


def test_the_receipt_is_recorded_with_the_submission_and_done_once_sent(
    draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit_entry(draft, by=draft.entrant)

    assert _pending() == [("submissions.mail_entry_receipt", [draft.pk])]
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert [message.to for message in mail.outbox] == [[draft.entrant.email]]
    assert _pending() == []
    assert OutboxMessage.objects.get().done_at is not None


def test_a_submission_rolled_back_leaves_no_message(draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_entry(draft, by=draft.entrant)
        raise RuntimeError("the request failed after the submission")

    draft.refresh_from_db()
    assert draft.state == EntryState.DRAFT
    assert OutboxMessage.objects.count() == 0


def test_a_mail_delivered_twice_is_sent_once(draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        submit_entry(draft, by=draft.entrant)
    message = OutboxMessage.objects.get()

    for _ in range(2):
        mail_entry_receipt.apply(
            args=[draft.pk], kwargs={"outbox_message": message.pk}
        ).get()

    assert len(mail.outbox) == 1


def test_a_task_the_broker_could_not_take_is_sent_again_by_the_sweeper(
    draft, settings, django_capture_on_commit_callbacks
):
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        submit_entry(draft, by=draft.entrant)

    assert _pending() == [("submissions.mail_entry_receipt", [draft.pk])]
    assert mail.outbox == []

    # Not yet: a message is sent again only after the resend delay.
    assert resend_lost_messages() == []
    later = timezone.now() + datetime.timedelta(
        seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1
    )
    [message] = OutboxMessage.objects.all()
    assert resend_lost_messages(now=later) == [message.pk]

    assert [m.to for m in mail.outbox] == [[draft.entrant.email]]
    message.refresh_from_db()
    assert (message.sends, message.done_at is not None) == (2, True)
    # Done: the sweeper leaves it alone from now on.
    assert resend_lost_messages(now=later + datetime.timedelta(hours=1)) == []
    assert len(mail.outbox) == 1


def test_done_messages_are_deleted_after_a_week():
    now = timezone.now()
    old = OutboxMessage.objects.create(
        task="submissions.mail_entry_receipt", args=[1], done_at=now - KEEP_DONE
    )
    recent = OutboxMessage.objects.create(
        task="submissions.mail_entry_receipt", args=[2], done_at=now
    )

    resend_lost_messages(now=now + datetime.timedelta(seconds=1))

    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


def test_a_task_a_worker_took_is_not_sent_again_before_its_time_limit(settings):
    now = timezone.now()
    taken = now - datetime.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
    message = OutboxMessage.objects.create(
        task="submissions.process_file",
        args=[987654],
        options={"soft_time_limit": 3600, "time_limit": 3630},
        sent_at=taken,
        started_at=taken,
    )

    # Past the resend delay, but a video may take an hour: still its run's.
    assert resend_lost_messages(now=now) == []
    # Past its hard time limit the run is dead: the message goes again.
    assert resend_lost_messages(now=taken + datetime.timedelta(seconds=3631)) == [
        message.pk
    ]
