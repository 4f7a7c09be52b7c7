from django.urls import path

from artsprize.common import views_manage

urlpatterns = [
    path("", views_manage.audit_log, name="audit_log"),
]
