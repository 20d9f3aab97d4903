from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, export
from .keys import views as key_views

urlpatterns = [
    path("api/v1/", include(api.router.urls)),
    path("api/v1/export/sessions.ndjson", export.sessions_ndjson, name="export_ndjson"),
    path("api/v1/export/sessions.csv", export.sessions_csv, name="export_csv"),
    path(
        "api/v1/export/applications.ndjson",
        export.applications_ndjson,
        name="export_applications_ndjson",
    ),
    path("api/v1/export/applications.csv", export.applications_csv, name="export_applications_csv"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    # Swagger UI (third-party) applies one inline style; only this page relaxes style-src.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("integrations/greenhouse/", include("apps.ats.greenhouse.urls")),
    path("integrations/kombo/", include("apps.ats.kombo.urls")),
    path("settings/api-keys/", key_views.key_list, name="api_keys"),
    path("settings/api-keys/<str:prefix>/revoke/", key_views.key_revoke, name="api_key_revoke"),
    path("settings/webhooks/", include("apps.ats.webhooks.urls")),
    path("settings/bullhorn/", include("apps.ats.bullhorn.urls")),
]
