from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


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
        if len(raw) > 1 or not raw[0].isdigit() or not 1 <= int(raw[0]) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw[0])

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.page_size_query_param:
                param["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if param["name"] == self.cursor_query_param:
                param["schema"] = {"type": "string", "minLength": 1}
        return params

    def decode_cursor(self, request):
        raw = request.query_params.getlist(self.cursor_query_param)
        if raw and (len(raw) > 1 or not raw[0]):
            raise NotFound(self.invalid_cursor_message)
        return super().decode_cursor(request)
