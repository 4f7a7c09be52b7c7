"""The judge's pages cost the same number of queries for 1 work as for 50."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from judging.models import Assignment, Score
from tests.judging.judge_fixtures import stage_of_pictures

pytestmark = pytest.mark.django_db

SIZES = [1, 50]


def scored(mine):
    """Half of the judge's works scored, a draft for one: every row state."""
    for number, assignment in enumerate(mine):
        if number % 2 == 0:
            Score.objects.create(
                assignment=assignment,
                version=1,
                saved_at=assignment.created_at,
                submitted_at=assignment.created_at if number % 4 == 2 else None,
            )


@pytest.mark.parametrize("entries", SIZES)
def test_the_dashboard(client, django_assert_num_queries, entries):
    _stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    url = reverse("judging:dashboard")

    with django_assert_num_queries(5):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("entries", SIZES)
def test_the_queue(client, django_assert_num_queries, entries):
    stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    url = reverse("judging:queue", args=[stage.pk])

    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.content.decode().count("data-assignment=") == entries
    assert response.content.decode().count('class="judge-thumb') == entries


@pytest.mark.parametrize("entries", SIZES)
def test_the_entry_page(client, django_assert_num_queries, entries):
    _stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    url = reverse("judging:entry", args=[mine[0].pk])

    with django_assert_num_queries(14):
        response = client.get(url)

    assert response.status_code == 200


def autosave(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("entries", SIZES)
def test_the_autosave_of_a_draft(client, django_assert_num_queries, entries):
    stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    criteria = stage.criteria.order_by("position")
    body = {
        "data": {f"criterion_{c.pk}": "7" for c in criteria} | {"comment": "Good"},
        "base_version": 1,
    }
    url = reverse("judging:score", args=[mine[0].pk])
    autosave(client, url, body)

    # Two of them are the savepoint of the test's transaction: a transaction of
    # its own under gunicorn.
    with django_assert_num_queries(11):
        response = autosave(client, url, body)

    assert response.json()["version"] == 3


@pytest.mark.parametrize("entries", SIZES)
def test_the_first_save_submitted(client, django_assert_num_queries, entries):
    stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    ContentType.objects.get_for_model(Assignment)  # Cached by every process.
    criteria = stage.criteria.order_by("position")
    body = {
        "data": {f"criterion_{c.pk}": "7" for c in criteria} | {"comment": "Good"},
        "base_version": 0,
        "submit": True,
    }
    Score.objects.filter(assignment=mine[0]).delete()
    url = reverse("judging:score", args=[mine[0].pk])

    with django_assert_num_queries(14):
        response = autosave(client, url, body)

    assert response.json()["submitted"] is True


@pytest.mark.parametrize("entries", SIZES)
def test_the_form_post_submitted_and_on_to_the_next(
    client, django_assert_num_queries, entries
):
    stage, _judges, mine = stage_of_pictures(client, entries=entries)
    scored(mine)
    ContentType.objects.get_for_model(Assignment)  # Cached by every process.
    data = {f"criterion_{c.pk}": "7" for c in stage.criteria.all()}
    url = reverse("judging:score", args=[mine[0].pk])

    # Two of them are the test's savepoint, as above.
    with django_assert_num_queries(13):
        response = client.post(
            url, {**data, "base_version": "1", "submit": "1", "next": "1"}
        )

    assert response.status_code == 302
