from django.urls import path

from submissions.views import caseworker as views

app_name = "caseworker"

urlpatterns = [
    path("", views.artists, name="artists"),
    path("artists/new/", views.artist_create, name="artist_create"),
    path("artists/<int:pk>/", views.artist_detail, name="artist"),
    path("artists/<int:pk>/invite/", views.artist_invite, name="artist_invite"),
    path(
        "artists/<int:pk>/data-archive/",
        views.artist_data_archive,
        name="artist_data_archive",
    ),
]
