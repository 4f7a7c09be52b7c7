from django.urls import path

from submissions.views import entries, files, guardians

urlpatterns = [
    path("", entries.my_entries, name="my_entries"),
    path("new/<int:round_pk>/", entries.entry_create, name="entry_create"),
    path("<int:pk>/", entries.entry_edit, name="entry_edit"),
    path("<int:pk>/submit/", entries.entry_submit, name="entry_submit"),
    path("<int:pk>/withdraw/", entries.entry_withdraw, name="entry_withdraw"),
    path("<int:pk>/receipt/", entries.entry_receipt, name="entry_receipt"),
    path("<int:pk>/public-use/", entries.entry_public_use, name="entry_public_use"),
    path(
        "<int:pk>/guardian/resend/",
        entries.entry_guardian_resend,
        name="entry_guardian_resend",
    ),
    path("files/<int:pk>/download/", entries.file_download, name="file_download"),
    path("files/status/", files.file_status, name="file_status"),
    path("files/<int:pk>/view/<str:name>/", files.file_view, name="file_view"),
    path("guardian/<str:token>/", guardians.guardian_confirm, name="guardian_confirm"),
]
