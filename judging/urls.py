"""A judge's pages, at /judging/ (namespace ``judging``)."""

from django.urls import path

from judging.views import deliberation, judge

urlpatterns = [
    path("", judge.dashboard, name="dashboard"),
    path("stages/<int:pk>/", judge.queue, name="queue"),
    path(
        "stages/<int:pk>/deliberation/",
        deliberation.deliberation,
        name="deliberation",
    ),
    path("assignments/<int:pk>/", judge.entry, name="entry"),
    path("assignments/<int:pk>/score/", judge.score, name="score"),
    path("assignments/<int:pk>/conflict/", judge.conflict, name="conflict"),
    path("assignments/<int:pk>/panel/", judge.panel, name="panel_scores"),
]
