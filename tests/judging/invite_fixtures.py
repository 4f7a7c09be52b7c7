"""Stages to invite judges to, and the links of the mails that invite them."""

import re
from urllib.parse import urlsplit

from django.core import mail

from artsprize.accounts.enums import Language
from judging.services.invitations import invite_judge
from tests.judging_factories import make_judging_round, make_stage

LINK = re.compile(r"http://\S+/judging/invitation/[^/\s]+/\?lang=[\w-]+")


def make_invite_stage():
    """A stage in set-up of a closed round (“Colours of Humanity”), named “First
    round” / 初選, closing in 14 days."""
    return make_stage(make_judging_round(entries=1))


def link_in(message):
    """The invitation link of a mail, as a path (with its language)."""
    found = LINK.search(message.body)
    assert found is not None, message.body
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


def token_of(path):
    return path.split("/judging/invitation/", 1)[1].split("/", 1)[0]


def page_of(path):
    """The link's page, without the language that the mail adds."""
    return path.split("?", 1)[0]


def invite(
    stage,
    by,
    capture,
    *,
    email="new.judge@example.org",
    language=Language.ENGLISH,
    as_chair=False,
):
    """Invite ``email`` and deliver the mail; returns the invitation and the
    path of its link. ``capture`` is ``django_capture_on_commit_callbacks``."""
    sent = len(mail.outbox)
    with capture(execute=True):
        invitation = invite_judge(
            stage, email=email, language=language, as_chair=as_chair, by=by
        )
    assert len(mail.outbox) == sent + 1
    return invitation, link_in(mail.outbox[-1])
