import re
from datetime import UTC

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

# What encode_cursor writes: standard base64 of a non-empty query string.
BASE64 = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")


class UpdatedCursorPagination(CursorPagination):
    """Cursor pagination by update time: constant cost at any depth, stable under inserts.
    ATS clients poll with ``updated_since`` and follow ``next`` until it is null."""

    ordering = ("updated_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        # isascii: str.isdigit() also says yes to other scripts' digits (and int() reads them).
        value = raw[0] if len(raw) == 1 else ""
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if param["name"] == self.cursor_query_param:
                param["schema"] = {"type": "string", "minLength": 1}
        return params

    def decode_cursor(self, request):
        """The cursor, or a 400 naming the parameter. A cursor is opaque to clients, but it
        arrives from outside: its position reaches a database filter on ``updated_at``, so it
        must be a date-time the database can compare, not whatever decodes."""
        raw = request.query_params.getlist(self.cursor_query_param)
        if raw and (len(raw) > 1 or not BASE64.fullmatch(raw[0])):
            raise self._invalid_cursor()
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid_cursor() from None
        if cursor is None or cursor.position is None:
            return cursor
        try:
            # Only what encode_cursor wrote (str() of an aware updated_at) round-trips.
            moment = parse_datetime(cursor.position)
            if moment is None or moment.tzinfo is None or str(moment) != cursor.position:
                raise ValueError
            moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self._invalid_cursor() from None
        return cursor

    def _invalid_cursor(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: ["Invalid cursor: follow the next and previous links."]}
        )
