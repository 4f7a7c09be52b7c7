from django.contrib import admin

from artsprize.accounts.models import EntrantProfile, User
from artsprize.accounts.services import PROFILE_FIELDS, update_entrant_profile
from artsprize.common.admin import StaffModelAdmin


@admin.register(User)
class UserAdmin(StaffModelAdmin):
    """Shown only: roles are granted, and two-factor authentication reset, on the
    People page, which audits them."""

    fields = (
        "email",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "date_joined",
        "last_login",
    )
    list_display = ("email", "language", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("email",)


@admin.register(EntrantProfile)
class EntrantProfileAdmin(StaffModelAdmin):
    editable_fields = PROFILE_FIELDS
    service = update_entrant_profile
    list_display = ("legal_name", "credit_name", "user", "hong_kong_based")
    list_select_related = ("user",)
    search_fields = ("legal_name", "credit_name", "user__email")
