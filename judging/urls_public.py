"""Public pages of judging's results (under /rounds/)."""

from django.urls import path

from judging.views import gallery

urlpatterns = [
    path("<int:pk>/gallery/", gallery.round_gallery, name="round_gallery"),
]
