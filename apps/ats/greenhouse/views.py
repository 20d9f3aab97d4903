"""The four endpoints Greenhouse calls, authenticated with an API key over HTTP Basic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Organization

from ..auth import APIKeyThrottle, BasicAPIKeyAuthentication, HasOrganizationAPIKey
from .serializers import (
    GreenhouseErrorOut,
    GreenhouseErrorReportIn,
    GreenhouseErrorReportOut,
    GreenhouseInvalidOut,
    GreenhouseSendTestIn,
    GreenhouseSendTestOut,
    GreenhouseTestOut,
    GreenhouseTestStatusOut,
)
from .services import (
    greenhouse_error_record,
    greenhouse_send_test,
    greenhouse_status,
    order_get,
    partner_test_name,
    position_for_test,
    positions_as_tests,
)


def invalid(serializer_errors, message: str) -> Response:
    return Response({"detail": message, "errors": serializer_errors}, status=400)


def _errors(*codes: int) -> dict:
    texts = {
        400: (GreenhouseInvalidOut, "Malformed JSON or missing/invalid fields."),
        401: (GreenhouseErrorOut, "Unsuccessful authentication with the provided API key."),
        404: (GreenhouseErrorOut, "The requested resource could not be found."),
        429: (GreenhouseErrorOut, "Too many requests for this API key."),
    }
    return {
        code: OpenApiResponse(response=texts[code][0], description=texts[code][1]) for code in codes
    }


class GreenhouseView(APIView):
    """Basic auth with an organization API key; every query is scoped to its organization."""

    authentication_classes = [BasicAPIKeyAuthentication]
    permission_classes = [HasOrganizationAPIKey]
    throttle_classes = [APIKeyThrottle]

    @property
    def organization(self) -> Organization:
        return self.request.auth.organization

    def handle_exception(self, exc):
        # A service refusing the request (its full_clean or a rule) is the client's 400.
        if isinstance(exc, ParseError):  # malformed JSON: still the documented 400 shape
            return invalid({"body": [str(exc.detail)]}, "Malformed JSON.")
        if isinstance(exc, ValidationError):
            errors = (
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"non_field_errors": exc.messages}
            )
            return invalid(errors, "The request could not be carried out.")
        return super().handle_exception(exc)


class ListTests(GreenhouseView):
    """The organization's positions that have take-home questions, as Greenhouse tests."""

    @extend_schema(
        operation_id="greenhouse_list_tests",
        tags=["Greenhouse"],
        summary="Tests this organization offers (positions with take-home questions)",
        responses={200: GreenhouseTestOut(many=True), **_errors(401, 429)},
    )
    def get(self, request):
        tests = [
            {"partner_test_id": str(p.pk), "partner_test_name": partner_test_name(p)}
            for p in positions_as_tests(organization=self.organization)
        ]
        return Response(GreenhouseTestOut(tests, many=True).data)


class SendTest(GreenhouseView):
    """Create (or reuse) the candidate, a take-home session and its e-mailed invitation.

    A retry of the same request (same test, candidate e-mail and url) while its test is live
    answers with the same partner_interview_id instead of sending a second test."""

    @extend_schema(
        operation_id="greenhouse_send_test",
        tags=["Greenhouse"],
        summary="Send a take-home test to a candidate",
        request=GreenhouseSendTestIn,
        responses={200: GreenhouseSendTestOut, **_errors(400, 401, 404, 429)},
    )
    def post(self, request):
        serializer = GreenhouseSendTestIn(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors, "Invalid send_test request.")
        data = serializer.validated_data
        position = position_for_test(
            organization=self.organization, partner_test_id=data["partner_test_id"]
        )
        if position is None:
            raise NotFound("No test with this partner_test_id.")
        order = greenhouse_send_test(
            organization=self.organization,
            position=position,
            data=data,
            payload=request.data,
            api_key=request.auth,
        )
        return Response(GreenhouseSendTestOut({"partner_interview_id": str(order.session_id)}).data)


class TestStatus(GreenhouseView):
    """``complete`` with score, debrief URL and metadata once every assigned interviewer has
    scored the answers; before that pending, in_progress, submitted, expired or cancelled."""

    @extend_schema(
        operation_id="greenhouse_test_status",
        tags=["Greenhouse"],
        summary="The status and, once complete, the result of a test sent to a candidate",
        parameters=[
            OpenApiParameter(
                "partner_interview_id",
                {"type": "string", "minLength": 1},
                OpenApiParameter.QUERY,
                required=True,
                description="The id send_test answered with.",
            )
        ],
        responses={200: GreenhouseTestStatusOut, **_errors(400, 401, 404, 429)},
    )
    def get(self, request):
        interview_id = request.query_params.get("partner_interview_id", "").strip()
        if not interview_id:
            return invalid(
                {"partner_interview_id": ["This parameter is required."]},
                "Invalid test_status request.",
            )
        order = order_get(organization=self.organization, partner_interview_id=interview_id)
        if order is None:
            raise NotFound("No test was sent with this partner_interview_id.")
        return Response(greenhouse_status(order))


class RequestErrors(GreenhouseView):
    """Greenhouse could not use one of our responses: the report is kept for admins."""

    @extend_schema(
        operation_id="greenhouse_request_errors",
        tags=["Greenhouse"],
        summary="Greenhouse reports a response of ours it could not use",
        request=GreenhouseErrorReportIn,
        responses={200: GreenhouseErrorReportOut, **_errors(400, 401, 429)},
    )
    def post(self, request):
        serializer = GreenhouseErrorReportIn(data=request.data)
        if not serializer.is_valid():
            return invalid(serializer.errors, "Invalid error report.")
        greenhouse_error_record(organization=self.organization, data=serializer.validated_data)
        return Response({"status": status.HTTP_200_OK})
