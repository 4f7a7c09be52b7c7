from django.urls import path

from artsprize.accounts import views_manage

urlpatterns = [
    path("", views_manage.people, name="people"),
]
