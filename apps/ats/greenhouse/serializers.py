"""Greenhouse's documented request and response shapes."""

from __future__ import annotations

from rest_framework import serializers

from ..webhooks.addresses import url_problem

# Optional fields accept null: Greenhouse sends null for a property without a value.


class GreenhouseTestOut(serializers.Serializer):
    partner_test_id = serializers.CharField()
    partner_test_name = serializers.CharField()


class GreenhouseCandidateIn(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, allow_blank=True)
    preferred_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    email = serializers.EmailField(max_length=254)
    phone_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, allow_null=True
    )
    resume_url = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    greenhouse_profile_url = serializers.URLField(max_length=1000)


class GreenhouseSendTestIn(serializers.Serializer):
    partner_test_id = serializers.CharField(max_length=100)
    candidate = GreenhouseCandidateIn()
    url = serializers.URLField(max_length=1000)
    sent_by = serializers.CharField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )

    def validate_url(self, value: str) -> str:
        problem = url_problem(value, https_only=True)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class GreenhouseSendTestOut(serializers.Serializer):
    partner_interview_id = serializers.CharField()


class GreenhouseTestStatusOut(serializers.Serializer):
    partner_status = serializers.CharField(
        help_text='"pending", "in_progress", "submitted", "complete", "expired" or "cancelled".'
    )
    partner_profile_url = serializers.URLField(
        required=False, help_text="The debrief page; present when complete."
    )
    partner_score = serializers.FloatField(
        required=False, help_text="Credibility score 0-100; present when complete."
    )
    metadata = serializers.DictField(
        required=False, help_text="Flat; values are strings, numbers or booleans."
    )


class GreenhouseErrorReportIn(serializers.Serializer):
    api_call = serializers.CharField(max_length=100)
    errors = serializers.ListField(child=serializers.JSONField())
    partner_test_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    partner_test_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    partner_interview_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, allow_null=True
    )
    candidate_email = serializers.CharField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )


class GreenhouseErrorReportOut(serializers.Serializer):
    status = serializers.IntegerField(default=200)


class GreenhouseErrorOut(serializers.Serializer):
    detail = serializers.CharField()


class GreenhouseInvalidOut(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(help_text="Messages by field, nested like the request.")
