"""The Celery tasks of judging, each a thin wrapper of a service: primary keys
in, the object read afresh by the service. Services send them through
``artsprize.common.outbox.enqueue`` by their names; nothing imports this module
but Celery."""

import logging

from celery import shared_task

from artsprize.common.outbox import MailTask, OutboxTask
from judging.services import notifications, publishing
from judging.services.reminders import remind_judges_before_closing
from judging.services.stages import open_and_close_due_stages

logger = logging.getLogger(__name__)


# Beat -------------------------------------------------------------------------


@shared_task(name="judging.open_and_close_due_stages")
def open_and_close_due_stages_task():
    opened, closed = open_and_close_due_stages()
    if opened or closed:
        logger.info("Stages opened: %s; closed: %s", opened, closed)


@shared_task(name="judging.remind_judges_before_closing")
def remind_judges_before_closing_task():
    reminded = remind_judges_before_closing()
    if any(reminded.values()):
        logger.info("Judges reminded, by stage: %s", reminded)


# Publishing ---------------------------------------------------------------------


@shared_task(name="judging.publish_round", base=OutboxTask)
def publish_round_task(round_id):
    if publishing.publish_round(round_id):
        logger.info("Round %s: results published.", round_id)


@shared_task(name="judging.refresh_publication", base=OutboxTask)
def refresh_publication_task(round_id):
    publishing.refresh_publication(round_id)


# Mails --------------------------------------------------------------------------


@shared_task(name="judging.mail_judge_invitation", base=MailTask)
def mail_judge_invitation(invitation_id, token):
    notifications.send_judge_invitation(invitation_id, token)


@shared_task(name="judging.mail_staff_entry_short_of_judges", base=MailTask)
def mail_staff_entry_short_of_judges(stage_id, entry_id):
    notifications.send_entry_short_of_judges(stage_id, entry_id)


@shared_task(name="judging.mail_judge_reminder", base=MailTask)
def mail_judge_reminder(stage_id, judge_id):
    notifications.send_judge_reminder(stage_id, judge_id)
