import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db.models import Q

from artsprize.accounts.enums import Role
from artsprize.common.mail import send_templated_mail
from submissions.enums import RoundState
from submissions.models import Round
from submissions.services.rounds import open_and_close_due_rounds

logger = logging.getLogger(__name__)


@shared_task(name="submissions.open_and_close_due_rounds")
def open_and_close_due_rounds_task():
    opened, closed = open_and_close_due_rounds()
    if opened or closed:
        logger.info("Rounds opened: %s; closed: %s", opened, closed)


@shared_task(name="submissions.mail_staff_round_state_changed")
def mail_staff_round_state_changed(round_id, old_state, new_state):
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        logger.info("Round %s is gone; no mail sent.", round_id)
        return
    staff = (
        get_user_model()
        .objects.filter(Q(groups__name=Role.STAFF) | Q(is_superuser=True))
        .filter(is_active=True)
        .exclude(Q(email__isnull=True) | Q(email=""))
        .distinct()
        .order_by("pk")
    )
    for user in staff:
        # The labels are lazy: each mail renders them in its reader's language.
        send_templated_mail(
            "submissions/mail/round_state_changed",
            to=[user.email],
            language=user.language,
            context={
                "round": round_,
                "old_state": RoundState(old_state).label,
                "new_state": RoundState(new_state).label,
            },
        )
