from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only for platform staff: rows are written by services and changed by the sender."""

    list_display = ["id", "kind", "status", "organization", "attempts", "next_attempt_at",
                    "created_at", "sent_at"]  # fmt: skip
    list_filter = ["status", "kind", "organization"]
    search_fields = ["dedupe_key", "last_error"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
