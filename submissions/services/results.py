"""Publishing a round's results, as far as entries are concerned: each
submitted entry's result (awarded, with its awards' names; shortlisted; not
selected), the round moved to ``published`` through its transition function,
and one mail to each entrant in their language (the caseworker who filed, for an
artist without an address), written with care whatever the result.

Judging decides the results and hands them here (``publish_results``); it does
so once the public pages are ready. Publishing twice (a double click, a retry of
the task) changes nothing and mails nobody again.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artsprize.common.audit import record_event
from artsprize.common.enums import AuditVerb
from artsprize.common.outbox import enqueue
from submissions.enums import EntryState, ResultOutcome, RoundState, ScreeningState
from submissions.errors import RoundError
from submissions.models import Entry, Round
from submissions.services.rounds import set_round_state

NOT_DECIDED = _("A round's results are published once its awards are decided.")


def _check_outcomes(round_, outcomes):
    """Every entry named is a submitted, eligible entry of the round, and
    every outcome is awarded (with at least one award) or shortlisted."""
    eligible = set(
        Entry.objects.filter(
            round=round_,
            state=EntryState.SUBMITTED,
            screening=ScreeningState.ELIGIBLE,
            pk__in=list(outcomes),
        ).values_list("pk", flat=True)
    )
    for entry_id, (outcome, awards) in outcomes.items():
        if entry_id not in eligible:
            raise ValueError(f"Entry {entry_id} is not an eligible entry of the round.")
        if outcome == ResultOutcome.AWARDED and not awards:
            raise ValueError(f"Entry {entry_id} is awarded without an award.")
        if outcome not in (ResultOutcome.AWARDED, ResultOutcome.SHORTLISTED):
            raise ValueError(f"Entry {entry_id}: {outcome} is not a judged outcome.")


def publish_results(round_, *, outcomes, results_url, by, now=None):
    """Publish the results of ``round_`` (decided): ``outcomes`` is
    ``{entry_id: (ResultOutcome, [{"name_en": …, "name_zh_hant": …}, …])}``
    for the awarded and shortlisted entries; every other eligible entry was not
    selected. ``results_url`` is where the public reads them. Returns True when
    the results were published now, False when they already were."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.state == RoundState.PUBLISHED:
            return False
        if locked.state != RoundState.DECIDED:
            raise RoundError(NOT_DECIDED, code="not_decided")
        _check_outcomes(locked, outcomes)
        submitted = Entry.objects.filter(round=locked, state=EntryState.SUBMITTED)
        submitted.filter(screening=ScreeningState.ELIGIBLE).exclude(
            pk__in=list(outcomes)
        ).update(result=ResultOutcome.NOT_SELECTED, result_awards=[], updated_at=now)
        for entry_id, (outcome, awards) in outcomes.items():
            Entry.objects.filter(pk=entry_id).update(
                result=outcome, result_awards=list(awards), updated_at=now
            )
        locked.results_url = results_url
        locked.save(update_fields=["results_url", "updated_at"])
        record_event(
            actor=by,
            verb=AuditVerb.UPDATED,
            obj=locked,
            data={
                "fields": ["results_url"],
                "awarded": sum(
                    1
                    for outcome, _awards in outcomes.values()
                    if outcome == ResultOutcome.AWARDED
                ),
                "shortlisted": sum(
                    1
                    for outcome, _awards in outcomes.values()
                    if outcome == ResultOutcome.SHORTLISTED
                ),
            },
        )
        set_round_state(locked, RoundState.PUBLISHED, by=by, now=now)
        for entrant_id in (
            submitted.order_by("entrant_id")
            .values_list("entrant_id", flat=True)
            .distinct()
        ):
            enqueue("submissions.mail_results", locked.pk, entrant_id)
    return True
