from django.urls import path

from artsprize.accounts import views

# Included before allauth's URLs: the two allauth pages below are replaced by
# versions that lead a person back to the page they were going to.
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("2fa/totp/activate/", views.activate_totp, name="mfa_activate_totp"),
    path(
        "2fa/recovery-codes/",
        views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
]
