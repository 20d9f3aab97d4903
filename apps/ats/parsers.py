"""The JSON parser of every ATS endpoint (REST and Greenhouse)."""

from rest_framework.parsers import JSONParser


def without_nul(value):
    """Drop NUL characters, which PostgreSQL's text and jsonb cannot hold and which mean
    nothing in any field we accept."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


class NulFreeJSONParser(JSONParser):
    """JSON with NUL characters removed once, at the edge, so no serializer, service or stored
    payload has to think about them."""

    def parse(self, stream, media_type=None, parser_context=None):
        return without_nul(super().parse(stream, media_type, parser_context))
