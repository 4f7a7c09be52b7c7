from django.urls import path

from artsprize.accounts import views_manage

urlpatterns = [
    path("", views_manage.people, name="people"),
    path("<int:pk>/", views_manage.person, name="person"),
    path("<int:pk>/roles/", views_manage.change_role, name="person_role"),
    path(
        "<int:pk>/two-factor/reset/",
        views_manage.reset_person_two_factor,
        name="person_reset_two_factor",
    ),
]
