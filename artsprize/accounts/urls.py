from django.urls import path

from artsprize.accounts import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
]
