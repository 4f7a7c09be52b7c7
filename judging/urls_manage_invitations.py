from django.urls import path

from judging.views import invitations

urlpatterns = [
    path(
        "stages/<int:pk>/invitations/",
        invitations.stage_invitations,
        name="stage_invitations",
    ),
    path(
        "stages/<int:pk>/invitations/<int:invitation_pk>/resend/",
        invitations.invitation_resend,
        name="stage_invitation_resend",
    ),
    path(
        "stages/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        invitations.invitation_withdraw,
        name="stage_invitation_withdraw",
    ),
]
