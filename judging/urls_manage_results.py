"""Staff pages of a stage's results (in the ``manage`` namespace, at /manage/)."""

from django.urls import path

from judging.views import results

urlpatterns = [
    path("stages/<int:pk>/results/", results.stage_results, name="stage_results"),
    path(
        "stages/<int:pk>/results/judges/",
        results.stage_result_judges,
        name="stage_result_judges",
    ),
    path(
        "stages/<int:pk>/results/<int:entry_id>/",
        results.stage_result_entry,
        name="stage_result_entry",
    ),
]
