from django.urls import path

from submissions.views import entries

urlpatterns = [
    path("", entries.my_entries, name="my_entries"),
]
