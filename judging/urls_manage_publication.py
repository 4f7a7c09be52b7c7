"""The staff's review and publishing of a round's results (``manage``)."""

from django.urls import path

from judging.views import publication

urlpatterns = [
    path(
        "rounds/<int:pk>/publication/",
        publication.round_publication,
        name="round_publication",
    ),
    path(
        "rounds/<int:pk>/publication/publish/",
        publication.round_publish,
        name="round_publish",
    ),
]
