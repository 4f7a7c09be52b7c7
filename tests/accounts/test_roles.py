"""A person's roles, read on every request that checks a permission."""

import pytest
from django.contrib.auth import get_user_model

from artsprize.accounts.enums import Role
from artsprize.accounts.roles import grant_role, revoke_role
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_roles_read_are_the_persons_groups_and_no_one_elses(
    django_assert_num_queries,
):
    staff = factories.make_staff()
    judge = factories.make_judge()
    grant_role(judge, Role.CASEWORKER, by=staff)
    entrant = factories.make_entrant()
    User = get_user_model()

    with django_assert_num_queries(3):
        found = [
            User.objects.role_names_of(user.pk) for user in (staff, judge, entrant)
        ]

    assert found == [
        frozenset({Role.STAFF}),
        frozenset({Role.JUDGE, Role.CASEWORKER}),
        frozenset(),
    ]
    for user in (staff, judge, entrant):
        assert User.objects.role_names_of(user.pk) == frozenset(
            user.groups.values_list("name", flat=True)
        )


def test_a_role_taken_away_is_gone_at_the_next_read():
    staff = factories.make_staff()
    judge = factories.make_judge()

    revoke_role(judge, Role.JUDGE, by=staff)

    fresh = get_user_model().objects.get(pk=judge.pk)
    assert fresh.role_names == frozenset()
    assert not fresh.is_judge
