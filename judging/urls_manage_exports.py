"""Staff exports of a stage's results (in the ``manage`` namespace, at
/manage/): ``stages/<id>/exports/scores.csv``, ``scores.xlsx``,
``rankings.csv`` and ``rankings.xlsx``."""

from django.urls import re_path

from judging.views import exports

urlpatterns = [
    re_path(
        r"^stages/(?P<pk>[0-9]+)/exports/"
        r"(?P<kind>scores|rankings)\.(?P<file_format>csv|xlsx)$",
        exports.stage_export,
        name="stage_export",
    ),
]
