from django.urls import path

from judging.views import invitations

urlpatterns = [
    path("", invitations.judge_invitation_page, name="judge_invitation_page"),
    path("<str:token>/", invitations.judge_invitation, name="judge_invitation"),
]
