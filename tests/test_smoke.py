import pytest
from django.urls import reverse

from submissions.enums import RoundState
from submissions.services.rounds import open_round_now
from tests import factories

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
