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


class ReadOnlyInline(admin.TabularInline):
    """Rows that are history (frozen items, ratings, notes, corrections): shown, never edited
    here. Corrections go through the debrief's correction page, which records them."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


class SessionItemInline(ReadOnlyInline):
    model = SessionItem
    fields = ["order", "question_key", "question_version", "competency_key", "level", "weight"]


@admin.register(CandidateSession)
class CandidateSessionAdmin(admin.ModelAdmin):
    list_display = ["candidate", "position", "mode", "status", "organization", "scored_at"]
    list_filter = ["organization", "mode", "status"]
    readonly_fields = ["result", "scored_at", "role_track", "role_level", "role_weights", "kit_key"]
    inlines = [SessionItemInline]


class RatingInline(ReadOnlyInline):
    model = Rating
    fields = ["item", "criterion_key", "value"]


class ItemNoteInline(ReadOnlyInline):
    model = ItemNote
    fields = ["item", "notes", "red_flags"]


class CorrectionInline(ReadOnlyInline):
    model = ScorecardCorrection
    fields = ["field", "old_value", "new_value", "reason", "corrected_by", "corrected_at"]


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
