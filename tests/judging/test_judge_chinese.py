"""The judge's pages in 繁體中文: no English left in them, only what entrants
wrote (shown as written) and the codes of the works."""

import pytest
from django.conf import settings
from django.urls import reverse

from judging.enums import StageMode, StageState, Visibility
from judging.models import Stage
from judging.services.scoring import save_score
from tests.judging.judge_fixtures import open_stage_for, own
from tests.test_chinese_pages import english_in, visible_text

pytestmark = pytest.mark.django_db

# What the test's entries and stage hold, as typed by their authors.
TYPED = {
    "Adult — community",
    "A statement about the work.",
    "Ink on paper",
    "How the work speaks to the theme.",
    "Originality",
    "Craft",
    *(f"Work {number}" for number in range(1, 4)),
}


@pytest.mark.parametrize(
    "mode", [StageMode.CRITERIA, StageMode.VOTE, StageMode.RANKING]
)
def test_every_judge_page_in_chinese(client, mode):
    stage, judges, mine = open_stage_for(
        client, entries=3, mode=mode, visibility=Visibility.AFTER_OWN
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    data = {"criteria": {"comment": "Good"}, "vote": {"vote": "yes"}}.get(mode, {})
    if mode == StageMode.CRITERIA:
        data = {f"criterion_{c.pk}": "5" for c in stage.criteria.all()}
    for judge in judges:
        save_score(
            own(stage, judge)[0], data=data, base_version=0, by=judge, submit=True
        )
    urls = [
        reverse("judging:dashboard"),
        reverse("judging:queue", args=[stage.pk]),
        reverse("judging:queue", args=[stage.pk]) + "?show=scored",
        reverse("judging:entry", args=[mine[0].pk]),
        reverse("judging:entry", args=[mine[1].pk]),
        reverse("judging:conflict", args=[mine[0].pk]),
        reverse("judging:panel_scores", args=[mine[0].pk]),
    ]
    # The test's reference codes are not the portal's own (HRAP-…); the panel's
    # judges are named by letters.
    typed = (
        TYPED
        | set(stage.round.entries.values_list("reference", flat=True))
        | {"評審 A", "評審 B"}
    )
    english = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-Hant-HK"' in html
        english += [(url, run) for run in english_in(visible_text(html), data=typed)]
    Stage.objects.filter(pk=stage.pk).update(state=StageState.CLOSED)
    closed = client.get(reverse("judging:entry", args=[mine[0].pk])).content.decode()
    english += [("closed", run) for run in english_in(visible_text(closed), data=typed)]

    assert english == []
