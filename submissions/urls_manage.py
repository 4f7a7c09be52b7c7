from django.urls import path, re_path

from submissions.views import dashboard, exports, manage, processing, screening

urlpatterns = [
    path("", manage.round_list, name="rounds"),
    path("rounds/new/", manage.round_create, name="round_create"),
    path("rounds/<int:pk>/", manage.round_detail, name="round_detail"),
    path(
        "rounds/<int:pk>/dashboard/",
        dashboard.round_dashboard,
        name="round_dashboard",
    ),
    path("rounds/<int:pk>/edit/", manage.round_edit, name="round_edit"),
    path("rounds/<int:pk>/schedule/", manage.round_schedule, name="round_schedule"),
    path(
        "rounds/<int:pk>/unschedule/",
        manage.round_unschedule,
        name="round_unschedule",
    ),
    path("rounds/<int:pk>/open/", manage.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", manage.round_close, name="round_close"),
    path("rounds/<int:pk>/extend/", manage.round_extend, name="round_extend"),
    path("rounds/<int:pk>/reopen/", manage.round_reopen, name="round_reopen"),
    path(
        "rounds/<int:pk>/categories/new/",
        manage.category_create,
        name="category_create",
    ),
    path(
        "rounds/<int:pk>/categories/<int:category_pk>/edit/",
        manage.category_edit,
        name="category_edit",
    ),
    path(
        "rounds/<int:pk>/categories/<int:category_pk>/delete/",
        manage.category_delete,
        name="category_delete",
    ),
    path("rounds/<int:pk>/screening/", screening.screening_queue, name="screening"),
    path(
        "rounds/<int:pk>/screening/bulk/",
        screening.screening_bulk,
        name="screening_bulk",
    ),
    path(
        "rounds/<int:pk>/screening/release/",
        screening.screening_release,
        name="screening_release",
    ),
    path(
        "rounds/<int:pk>/screening/<int:entry_pk>/",
        screening.screening_entry,
        name="screening_entry",
    ),
    path("screening-reasons/", screening.reason_list, name="screening_reasons"),
    path(
        "screening-reasons/new/", screening.reason_edit, name="screening_reason_create"
    ),
    path(
        "screening-reasons/<int:pk>/edit/",
        screening.reason_edit,
        name="screening_reason_edit",
    ),
    path("rounds/<int:pk>/exports/", exports.round_exports, name="round_exports"),
    path(
        "rounds/<int:pk>/exports/entries-with-identity/",
        exports.export_with_identity,
        name="export_with_identity",
    ),
    re_path(
        r"^rounds/(?P<pk>[0-9]+)/exports/"
        r"(?P<kind>entries|files)\.(?P<file_format>csv|xlsx)$",
        exports.export_download,
        name="export_download",
    ),
    path("processing/", processing.processing_problems, name="processing"),
    path(
        "processing/<int:pk>/retry/",
        processing.processing_retry,
        name="processing_retry",
    ),
    path(
        "processing/retry-failed/",
        processing.processing_retry_all,
        name="processing_retry_all",
    ),
]
