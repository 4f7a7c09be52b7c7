"""The public credit of an entry: the one name printed with the work, on the
receipt, in its mails and on the staff pages before a reveal."""

import pytest
from django.utils import translation

from artsprize.accounts.models import EntrantProfile, User
from submissions.enums import Credit
from submissions.models import Entry
from submissions.selectors.credits import public_credit


def entry_of(credit, *, legal_name="Chan Tai Man", credit_name="Tai", profile=True):
    entrant = User(email="tai@example.org")
    if profile:
        entrant.profile = EntrantProfile(legal_name=legal_name, credit_name=credit_name)
    return Entry(entrant=entrant, credit=credit)


@pytest.mark.parametrize(
    ("credit", "credit_name", "expected"),
    [
        (Credit.LEGAL_NAME, "Tai", "Chan Tai Man"),
        (Credit.CREDIT_NAME, "Tai", "Tai"),
        # No credit name: the profile says the legal name is used.
        (Credit.CREDIT_NAME, "", "Chan Tai Man"),
        (Credit.ANONYMOUS, "Tai", "Anonymous"),
    ],
)
def test_the_credit_follows_the_artist_s_choice(credit, credit_name, expected):
    assert public_credit(entry_of(credit, credit_name=credit_name)) == expected


def test_anonymous_is_said_in_the_reader_s_language():
    with translation.override("zh-hant"):
        assert str(public_credit(entry_of(Credit.ANONYMOUS))) == "匿名"


def test_an_entrant_without_a_profile_has_no_credit_but_anonymity():
    assert public_credit(entry_of(Credit.CREDIT_NAME, profile=False)) == ""
    assert public_credit(entry_of(Credit.ANONYMOUS, profile=False)) == "Anonymous"
