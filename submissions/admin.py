from django.contrib import admin

from artsprize.common.admin import StaffModelAdmin
from submissions.models import ArtworkFile, Category, Derivative, Entry, Round
from submissions.services.rounds import (
    CATEGORY_TEXT_FIELDS,
    EDITABLE_TEXT_FIELDS,
    save_category,
    update_round,
)


@admin.register(Round)
class RoundAdmin(StaffModelAdmin):
    """Its texts, in any state; its dates, settings and state change on the staff
    pages, which check them against the round's state."""

    editable_fields = EDITABLE_TEXT_FIELDS
    service = update_round
    list_display = ("year", "title_en", "state", "opens_at", "closes_at")
    list_filter = ("state",)
    search_fields = ("title_en", "title_zh_hant")


@admin.register(Category)
class CategoryAdmin(StaffModelAdmin):
    editable_fields = CATEGORY_TEXT_FIELDS
    service = save_category
    list_display = ("name_en", "round", "position")
    list_filter = ("round",)
    list_select_related = ("round",)
    # Newest round first, as the rounds are listed.
    ordering = ("round", "position", "id")


@admin.register(Entry)
class EntryAdmin(StaffModelAdmin):
    """Shown only: its entrant changes it, and staff move it along on the staff
    pages."""

    list_display = ("reference", "title_en", "round", "category", "entrant", "state")
    list_filter = ("state", "round")
    list_select_related = ("round", "category", "entrant")
    search_fields = ("reference", "title_en", "title_zh_hant", "entrant__email")


@admin.register(ArtworkFile)
class ArtworkFileAdmin(StaffModelAdmin):
    list_display = ("original_name", "entry", "kind", "state", "size")
    list_filter = ("state", "kind")
    list_select_related = ("entry",)
    ordering = ("entry", "position", "id")
    search_fields = ("original_name", "entry__reference")


@admin.register(Derivative)
class DerivativeAdmin(StaffModelAdmin):
    list_display = ("artwork_file", "kind", "index", "width", "height")
    list_filter = ("kind",)
    list_select_related = ("artwork_file",)
    ordering = ("artwork_file", "kind", "index")
