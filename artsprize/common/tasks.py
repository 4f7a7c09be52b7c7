import logging

from celery import shared_task

from artsprize.common.outbox import resend_lost_messages

logger = logging.getLogger(__name__)


@shared_task(name="common.resend_lost_messages")
def resend_lost_messages_task():
    resent = resend_lost_messages()
    if resent:
        logger.warning("Messages the broker lost, sent again: %s", resent)
