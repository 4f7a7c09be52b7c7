"""The mail tasks of accounts: thin wrappers of ``artsprize.accounts.mails``,
sent through ``artsprize.common.outbox.enqueue`` by their names."""

from celery import shared_task

from artsprize.accounts import mails
from artsprize.common.outbox import MailTask


@shared_task(name="accounts.mail_two_factor_reset", base=MailTask)
def mail_two_factor_reset(event_id):
    mails.send_two_factor_reset(event_id)


@shared_task(name="accounts.mail_claim_invitation", base=MailTask)
def mail_claim_invitation(artist_id):
    mails.send_claim_invitation(artist_id)
