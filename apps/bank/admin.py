"""Authoring in the Django admin.

Shipped questions (no organization) come from ``fixtures/bank/*.yaml``: edit the YAML and
re-import rather than editing them here, or the next import will overwrite the edit. A question
version that a session has used (``locked``) is read-only; the "new version" action copies it
into an editable draft (ORA2's rule: a used rubric never changes).
"""

from django.contrib import admin, messages

from .models import (
    Anchor,
    Competency,
    Criterion,
    Kit,
    KitItem,
    Level,
    Plan,
    PlanStage,
    Question,
    QuestionReport,
    Source,
    Track,
)
from .services import question_new_version


class ReadOnlyWhenLocked:
    def has_change_permission(self, request, obj=None):
        question = getattr(obj, "question", obj)
        if question is not None and getattr(question, "locked", False):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        question = getattr(obj, "question", obj)
        if question is not None and getattr(question, "locked", False):
            return False
        return super().has_delete_permission(request, obj)


class CriterionInline(ReadOnlyWhenLocked, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "key", "label", "weight"]
    show_change_link = True


class AnchorInline(admin.TabularInline):
    model = Anchor
    extra = 0
    max_num = 5
    fields = ["rating", "text"]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.question.locked) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return not (obj and obj.question.locked) and super().has_add_permission(request, obj)


@admin.register(Question)
class QuestionAdmin(ReadOnlyWhenLocked, admin.ModelAdmin):
    list_display = ["key", "version", "competency", "track", "level", "kind", "status", "locked"]
    list_filter = ["is_latest", "status", "track", "level", "competency", "kind", "organization"]
    search_fields = ["key", "prompt"]
    list_select_related = ["competency", "track", "level"]
    readonly_fields = ["version", "is_latest", "locked", "created_at", "updated_at"]
    inlines = [CriterionInline]
    actions = ["make_new_version"]

    @admin.action(description="Create an editable new version of the selected questions")
    def make_new_version(self, request, queryset):
        made = 0
        for question in queryset.filter(is_latest=True):
            question_new_version(question=question)
            made += 1
        self.message_user(request, f"{made} new draft version(s) created.", messages.SUCCESS)


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyWhenLocked, admin.ModelAdmin):
    list_display = ["question", "key", "label", "weight"]
    search_fields = ["question__key", "label"]
    list_select_related = ["question"]
    inlines = [AnchorInline]


class KitItemInline(admin.TabularInline):
    model = KitItem
    extra = 0
    autocomplete_fields = ["question"]
    fields = ["order", "question", "weight"]


@admin.register(Kit)
class KitAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "track", "level", "take_home", "organization"]
    list_filter = ["track", "level", "take_home", "organization"]
    search_fields = ["key", "name"]
    inlines = [KitItemInline]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "order"]


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "isa95_area"]
    list_filter = ["isa95_area", "tracks"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["tag", "title"]
    search_fields = ["tag", "title"]


class PlanStageInline(admin.TabularInline):
    model = PlanStage
    extra = 0
    autocomplete_fields = ["kit"]
    fields = ["order", "name", "mode", "kit", "expected_minutes", "panel_size"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Shipped plans come from ``fixtures/bank/plans.yaml``: edit the YAML and re-import."""

    list_display = ["key", "name", "track", "level", "organization"]
    list_filter = ["track", "level", "organization"]
    search_fields = ["key", "name"]
    list_select_related = ["track", "level", "organization"]
    inlines = [PlanStageInline]


@admin.register(QuestionReport)
class QuestionReportAdmin(admin.ModelAdmin):
    """Tenants' reports of problems with shipped questions: open ones first. Fix the question
    in ``fixtures/bank/`` (a used version becomes a new one on import), then mark it resolved
    with what was done."""

    list_display = ["question", "organization", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["question", "organization"]
    search_fields = ["question__key", "text"]
    readonly_fields = ["organization", "question", "reported_by", "text", "created_at"]
    fields = [*readonly_fields, "resolved_at", "resolution"]
    ordering = ["resolved_at", "-created_at"]

    def has_add_permission(self, request) -> bool:
        return False
