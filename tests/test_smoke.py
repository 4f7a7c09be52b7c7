import pytest
from django.urls import reverse

from judging.models import Assignment, Score
from judging.services.scoring import save_score
from submissions.enums import RoundState
from submissions.services.rounds import open_round_now
from tests import factories
from tests.judging_factories import make_open_stage

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_home_lists_an_open_round_in_both_languages(client, staff_user):
    round_ = factories.make_round()
    open_round_now(round_, by=staff_user)
    assert round_.state == RoundState.OPEN

    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert list(response.context["open_rounds"]) == [round_]
    assert "Colours of Humanity" in response.text

    response = client.get(reverse("home"), headers={"accept-language": "zh-hant"})
    assert response.text.count("人性的色彩") == 1
    assert '<html lang="zh-Hant-HK">' in response.text


def test_a_judge_saves_a_score_on_the_embedded_database():
    stage, (judge, _other) = make_open_stage(entries=1)
    assignment = Assignment.objects.get(stage=stage, judge=judge)
    values = {f"criterion_{c.pk}": "7" for c in stage.criteria.all()}

    saved = save_score(assignment, data=values, base_version=0, by=judge, submit=True)

    assert (saved.version, saved.submitted) == (1, True)
    assert Score.objects.get(assignment=assignment).total == 7
