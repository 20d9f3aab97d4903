from django.contrib import admin

from .models import (
    Candidate,
    CandidateSession,
    ItemNote,
    Position,
    Rating,
    Scorecard,
    ScorecardCorrection,
    SessionItem,
)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["title", "client_company", "organization", "track", "level", "kit"]
    list_filter = ["organization", "track", "level"]
    search_fields = ["title", "client_company"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "email"]


class SessionItemInline(admin.TabularInline):
    """Frozen copies: shown, never edited."""

    model = SessionItem
    extra = 0
    can_delete = False
    fields = ["order", "question_key", "question_version", "competency_key", "level", "weight"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CandidateSession)
class CandidateSessionAdmin(admin.ModelAdmin):
    list_display = ["candidate", "position", "mode", "status", "organization", "scored_at"]
    list_filter = ["organization", "mode", "status"]
    readonly_fields = ["result", "scored_at", "role_track", "role_level", "role_weights", "kit_key"]
    inlines = [SessionItemInline]


class RatingInline(admin.TabularInline):
    model = Rating
    extra = 0
    readonly_fields = ["item", "criterion_key", "value"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ItemNoteInline(admin.TabularInline):
    model = ItemNote
    extra = 0
    readonly_fields = ["item", "notes", "red_flags"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CorrectionInline(admin.TabularInline):
    model = ScorecardCorrection
    extra = 0
    readonly_fields = ["field", "old_value", "new_value", "reason", "corrected_by", "corrected_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    """Read-only: corrections go through the debrief's correction page, which records them."""

    list_display = ["session", "interviewer", "status", "recommendation", "submitted_at"]
    list_filter = ["status", "recommendation"]
    readonly_fields = [
        "session",
        "interviewer",
        "status",
        "recommendation",
        "notes",
        "submitted_at",
    ]
    inlines = [RatingInline, ItemNoteInline, CorrectionInline]

    def has_change_permission(self, request, obj=None):
        return False
