from django.urls import path

from submissions.views import manage

urlpatterns = [
    path("", manage.round_list, name="rounds"),
]
