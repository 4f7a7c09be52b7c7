from django.urls import path

from submissions.views import public

urlpatterns = [
    path("<int:pk>/", public.round_detail, name="round_detail"),
]
