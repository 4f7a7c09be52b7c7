import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from artsprize.common.selectors import row_or_none
from submissions.models import Round
from tests.factories import make_round

pytestmark = pytest.mark.django_db


def test_row_or_none_gives_the_row_without_ordering_the_rows():
    round_ = make_round()
    assert Round._meta.ordering  # the ordering first() would compile

    with CaptureQueriesContext(connection) as captured:
        found = row_or_none(Round.objects.filter(pk=round_.pk))

    assert found == round_
    (query,) = captured.captured_queries
    assert "ORDER BY" not in query["sql"]


def test_row_or_none_gives_none_when_nothing_matches():
    assert row_or_none(get_user_model().objects.filter(pk=0)) is None


def test_row_or_none_refuses_a_filter_that_matches_more_than_one_row():
    make_round()
    make_round()

    with pytest.raises(Round.MultipleObjectsReturned):
        row_or_none(Round.objects.all())
