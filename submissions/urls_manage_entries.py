from django.urls import path

from submissions.views import manage_caseworkers, manage_entries

urlpatterns = [
    path("entries/<int:pk>/", manage_entries.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reveal/", manage_entries.entry_reveal, name="entry_reveal"),
    path(
        "entries/files/<int:pk>/original/",
        manage_entries.file_original,
        name="file_original",
    ),
    path("caseworkers/", manage_caseworkers.caseworker_list, name="caseworkers"),
    path(
        "caseworkers/<int:pk>/",
        manage_caseworkers.caseworker_detail,
        name="caseworker_detail",
    ),
]
