from django.urls import path

from artsprize.news import views_manage

urlpatterns = [
    path("", views_manage.post_list, name="news"),
    path("new/", views_manage.post_create, name="news_create"),
    path("<int:pk>/", views_manage.post_detail, name="news_detail"),
    path("<int:pk>/edit/", views_manage.post_edit, name="news_edit"),
    path("<int:pk>/preview/", views_manage.post_preview, name="news_preview"),
    path("<int:pk>/publish/", views_manage.post_publish, name="news_publish"),
    path("<int:pk>/schedule/", views_manage.post_schedule, name="news_schedule"),
    path("<int:pk>/unpublish/", views_manage.post_unpublish, name="news_unpublish"),
]
