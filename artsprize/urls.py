from django.contrib import admin
from django.urls import include, path

from artsprize import views
from artsprize.accounts import views as account_views

manage_patterns = [
    path("", include("submissions.urls_manage")),
    path("", include("submissions.urls_manage_entries")),
    path("people/", include("artsprize.accounts.urls_manage")),
    path("audit/", include("artsprize.accounts.urls_audit")),
    path("", include("judging.urls_manage_stages")),
    path("", include("judging.urls_manage_panels")),
    path("", include("judging.urls_manage_invitations")),
    path("", include("judging.urls_manage_results")),
    path("", include("judging.urls_manage_exports")),
    path("", include("judging.urls_manage_awards")),
    path("", include("judging.urls_manage_publication")),
    path("news/", include("artsprize.news.urls_manage")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("news/", include("artsprize.news.urls")),
    path("terms/", views.terms, name="terms"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("artsprize.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("account/data/", include("submissions.urls_privacy")),
    path("rounds/", include("submissions.urls")),
    path("rounds/", include("judging.urls_public")),
    path("entries/", include("submissions.urls_entries")),
    path("uploads/", include("submissions.urls_uploads")),
    path("caseworker/", include("submissions.urls_caseworker")),
    path("judging/invitation/", include("judging.urls_invitations")),
    path("judging/", include(("judging.urls", "judging"))),
    path("manage/", include((manage_patterns, "manage"))),
    path("admin/", admin.site.urls),
]

handler400 = "artsprize.common.views.bad_request"
handler403 = "artsprize.common.views.permission_denied"
handler404 = "artsprize.common.views.page_not_found"
handler500 = "artsprize.common.views.server_error"
