"""The staff's review and publishing of a round's results (``manage``)."""

from django.urls import path, re_path

from judging.views import publication

urlpatterns = [
    path(
        "rounds/<int:pk>/publication/",
        publication.round_publication,
        name="round_publication",
    ),
    re_path(
        r"^rounds/(?P<pk>[0-9]+)/results\.(?P<file_format>csv|xlsx)$",
        publication.round_results_export,
        name="round_results_export",
    ),
    path(
        "rounds/<int:pk>/publication/publish/",
        publication.round_publish,
        name="round_publish",
    ),
]
