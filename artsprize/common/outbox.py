"""Work that must happen because a change was committed: mails and tasks.

``enqueue(task, *args)`` records the task as an ``OutboxMessage`` in the
transaction of the change that causes it, and hands it to the broker once that
transaction commits: the change and its side effects are kept or lost together. A
worker marks the message done when the task has run. ``resend_lost_messages``
(beat) hands again every message that is not done some time after it was last
sent: a Redis without persistence that restarted, or a broker that could not be
reached at the commit, loses nothing.

A message may therefore reach a worker twice. Tasks are idempotent; a mail task,
declared with ``once = True`` (``OutboxTask``), runs its body under the message's
row lock and marks it done in the same transaction, so that a mail sent twice by
the broker leaves once.

Services name tasks by their registered name and import no task module: tasks
import services, never the reverse.
"""

import datetime
import logging
import smtplib

from celery import Task, current_app
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from artsprize.common.models import OutboxMessage

logger = logging.getLogger(__name__)

# The keyword argument that carries the message to the task.
MESSAGE_KWARG = "outbox_message"
# Faults that pass: the database or the broker restarting, a mail server that
# does not answer. A task meeting one is tried again later.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
)
# The most messages one sweep sends again.
SWEEP_BATCH = 500
# Done messages are kept this long, for an investigation, then deleted.
KEEP_DONE = datetime.timedelta(days=7)


def enqueue(task, *args, **options):
    """Record ``task`` (its registered name) with ``args`` and send it once the
    current transaction commits. ``options`` go to ``apply_async`` (time limits,
    countdown). Returns the message."""
    message = OutboxMessage.objects.create(task=task, args=list(args), options=options)
    transaction.on_commit(
        lambda: _send(message.pk, task, message.args, options), robust=True
    )
    return message


def _registered(task):
    """The task registered under the name ``task``. Outside a worker the apps'
    task modules are imported at the first sending (Celery discovers them)."""
    if task not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task]


def _send(message_id, task, args, options):
    try:
        _registered(task).apply_async(
            args=args, kwargs={MESSAGE_KWARG: message_id}, **options
        )
    except Exception:
        # The message waits in the database: the sweeper sends it again.
        logger.warning(
            "Task %s (message %s) could not be sent.", task, message_id, exc_info=True
        )
        return False
    return True


def resend_lost_messages(*, now=None):
    """Send again the messages not done some time after they were last sent, and
    delete those done long ago. Returns the ids sent again."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    lost = list(
        OutboxMessage.objects.filter(done_at__isnull=True, sent_at__lt=cutoff)
        .order_by("sent_at", "pk")
        .values_list("pk", "task", "args", "options", "started_at")[:SWEEP_BATCH]
    )
    resent = []
    for pk, task, args, options, started_at in lost:
        if started_at is not None and started_at > now - _running_for(options):
            # A worker took it and may still be at it (a long transcode).
            continue
        if _send(pk, task, args, options):
            OutboxMessage.objects.filter(pk=pk).update(
                sent_at=now, sends=F("sends") + 1
            )
            resent.append(pk)
    OutboxMessage.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return resent


def _running_for(options):
    """How long a task that a worker took may run before it counts as lost: its
    hard time limit, and at least the resend delay."""
    return datetime.timedelta(
        seconds=max(
            options.get("time_limit") or 0, settings.OUTBOX_RESEND_AFTER_SECONDS
        )
    )


def pending_messages():
    """Messages not done yet, oldest first (for staff pages and tests)."""
    return OutboxMessage.objects.filter(done_at__isnull=True).order_by("created_at")


class OutboxTask(Task):
    """The base of every task sent through ``enqueue``: it marks the message done
    when the task has run, and tries transient faults again with backoff.

    ``once = True`` (mails): the body runs under the message's row lock and the
    message is marked done in the same transaction, so a message delivered twice
    runs once. Otherwise (long, idempotent tasks such as processing) the message
    is marked done after the body returns, and the sweeper does not send it
    again while its run may still be going (its hard time limit).
    """

    once = False
    # The message's keyword argument is not the body's: no signature check.
    typing = False
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 10
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8

    def __call__(self, *args, **kwargs):
        message_id = kwargs.pop(MESSAGE_KWARG, None)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        try:
            return self._run_message(message_id, args, kwargs)
        except TRANSIENT_ERRORS as error:
            # The message's own reads and writes are outside the body, which
            # is all that ``autoretry_for`` covers: a database restarting
            # while they run is retried the same way.
            raise self.retry(
                exc=error,
                countdown=get_exponential_backoff_interval(
                    factor=self.retry_backoff,
                    retries=self.request.retries,
                    maximum=self.retry_backoff_max,
                    full_jitter=self.retry_jitter,
                ),
            ) from error

    def _run_message(self, message_id, args, kwargs):
        if self.once:
            with transaction.atomic():
                message = (
                    OutboxMessage.objects.select_for_update()
                    .filter(pk=message_id, done_at__isnull=True)
                    .first()
                )
                if message is None:
                    logger.info("Message %s was done already.", message_id)
                    return None
                result = super().__call__(*args, **kwargs)
                _mark_done(message_id)
            return result
        # Taken: the sweeper leaves it to this run until its time is up.
        if not OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
            started_at=timezone.now()
        ):
            logger.info("Message %s was done already.", message_id)
            return None
        result = super().__call__(*args, **kwargs)
        _mark_done(message_id)
        return result


def _mark_done(message_id):
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
        done_at=timezone.now()
    )


class MailTask(OutboxTask):
    """A mail: sent once, however often the broker delivers its message."""

    once = True
