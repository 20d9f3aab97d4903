from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import (
    GreenhouseErrorReport,
    GreenhouseOrder,
    OrganizationAPIKey,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)


@admin.register(OrganizationAPIKey)
class OrganizationAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "organization", "allow_ratings", "last_used_at"]
    list_filter = [*APIKeyModelAdmin.list_filter, "organization"]
    search_fields = [*APIKeyModelAdmin.search_fields, "organization__name"]


@admin.register(GreenhouseOrder)
class GreenhouseOrderAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "partner_test_id", "session", "sent_by", "created_at"]
    list_filter = ["organization"]
    search_fields = ["partner_test_id", "callback_url", "session__candidate__email"]
    readonly_fields = ["request_payload", "api_key"]


@admin.register(GreenhouseErrorReport)
class GreenhouseErrorReportAdmin(admin.ModelAdmin):
    list_display = ["received_at", "organization", "api_call", "partner_test_id",
                    "partner_interview_id", "candidate_email"]  # fmt: skip
    list_filter = ["organization", "api_call"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    # The secret is never listed; org admins rotate it from the webhooks page.
    list_display = ["url", "organization", "is_active", "created_at"]
    list_filter = ["organization", "is_active"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["previous_secret_expires_at"]


class AttemptInline(admin.TabularInline):
    model = WebhookDeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "status_code", "duration_ms", "error"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event_type", "endpoint", "status", "attempts",
                    "last_status_code", "next_attempt_at"]  # fmt: skip
    list_filter = ["status", "event_type", "organization"]
    search_fields = ["message_id"]
    readonly_fields = ["message_id", "body", "attempts", "last_status_code", "last_error"]
    inlines = [AttemptInline]
