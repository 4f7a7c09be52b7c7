from django.urls import path

from submissions.views import privacy

urlpatterns = [
    path("", privacy.your_data, name="your_data"),
    path("archives/", privacy.archive_request, name="data_archive_request"),
    path(
        "archives/<uuid:uuid>/",
        privacy.archive_download,
        name="data_archive_download",
    ),
    path("delete-account/", privacy.account_delete, name="account_delete"),
]
