"""drf-spectacular extensions: how our authentication schemes appear in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.ats.auth.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <your key>` (keys are created by org admins).",
        }


class BasicAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.ats.auth.BasicAPIKeyAuthentication"
    name = "GreenhouseBasicAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Greenhouse: the API key as the username, an empty password.",
        }


def forbid_unknown_request_fields(result, generator, request, public):
    """Postprocessing hook: request bodies say ``additionalProperties: false``, because the
    API rejects unknown fields (the schema must tell clients and fuzzers the truth)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        # Greenhouse documents that it may add properties to its payloads: tolerate them.
        if name.startswith("Greenhouse"):
            continue
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
