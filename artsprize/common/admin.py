from django.contrib import admin

from artsprize.common.models import AuditEvent


class StaffModelAdmin(admin.ModelAdmin):
    """The admin of a portal record, for staff: every field to look at, only
    ``editable_fields`` to change, and those saved through ``service`` — the
    function the staff pages use, which checks the change against the record's
    state and writes the audit log. Records are created and removed by the
    portal's pages and services, never here; states change only through their
    transition functions."""

    editable_fields = ()
    service = None

    def get_fields(self, request, obj=None):
        if self.fields:
            return list(self.fields)
        opts = self.model._meta
        return [
            field.name
            for field in (*opts.concrete_fields, *opts.many_to_many)
            if not field.auto_created
        ]

    def get_readonly_fields(self, request, obj=None):
        return [
            name
            for name in self.get_fields(request, obj)
            if name not in self.editable_fields
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return bool(self.editable_fields) and super().has_change_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        # The service compares with what is stored, not with the form's copy.
        stored = type(obj).objects.get(pk=obj.pk)
        data = {
            name: form.cleaned_data[name]
            for name in self.editable_fields
            if name in form.cleaned_data
        }
        type(self).service(stored, data=data, by=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(StaffModelAdmin):
    """Append-only: shown, never changed."""

    list_display = ("at", "actor_repr", "verb", "object_repr", "from_state", "to_state")
    list_filter = ("verb", "content_type")
    search_fields = ("object_repr", "actor_repr", "reason")
