from django.urls import path

from judging.views import invitations

urlpatterns = [
    path("<str:token>/", invitations.judge_invitation, name="judge_invitation"),
]
