"""A stage staff made not blind shows its judges the name each artist chose for
the public, and nothing else of who made the work; a blind stage shows none."""

import pytest
from django.urls import reverse

from artsprize.accounts.models import EntrantProfile
from submissions.enums import Credit
from submissions.models import Entry
from tests.judging.judge_fixtures import open_stage_for

pytestmark = pytest.mark.django_db

LEGAL_NAME = "Leung Legal Name Kept"
CREDIT_NAME = "Harbour Ink Pseudonym"


def name_the_artists(stage, credit):
    entries = Entry.objects.filter(round=stage.round)
    EntrantProfile.objects.filter(user__in=entries.values("entrant")).update(
        legal_name=LEGAL_NAME, credit_name=CREDIT_NAME
    )
    entries.update(credit=credit)
    return entries.first().entrant.email


@pytest.mark.parametrize(
    ("credit", "shown"),
    [
        (Credit.CREDIT_NAME, CREDIT_NAME),
        (Credit.LEGAL_NAME, LEGAL_NAME),
        (Credit.ANONYMOUS, "Anonymous"),
    ],
)
def test_a_stage_not_blind_shows_the_chosen_public_credit_only(client, credit, shown):
    stage, _judges, mine = open_stage_for(client, blind=False)
    email = name_the_artists(stage, credit)

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()

    assert f"{shown} <span" in page
    for hidden in {LEGAL_NAME, CREDIT_NAME, email} - {shown}:
        assert hidden not in page


def test_a_blind_stage_shows_no_credit(client):
    stage, _judges, mine = open_stage_for(client)
    email = name_the_artists(stage, Credit.CREDIT_NAME)

    page = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()

    assert "Credited as" not in page
    for hidden in (LEGAL_NAME, CREDIT_NAME, email):
        assert hidden not in page
