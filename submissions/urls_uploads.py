from django.urls import path

from submissions.views import uploads

urlpatterns = [
    path("start/", uploads.upload_start, name="upload_start"),
    path("<int:file_pk>/", uploads.upload_status, name="upload_status"),
    path("<int:file_pk>/sign/", uploads.upload_sign, name="upload_sign"),
    path("<int:file_pk>/parts/", uploads.upload_parts, name="upload_parts"),
    path("<int:file_pk>/complete/", uploads.upload_complete, name="upload_complete"),
    path("<int:file_pk>/abort/", uploads.upload_abort, name="upload_abort"),
    path("<int:file_pk>/remove/", uploads.upload_remove, name="upload_remove"),
]
