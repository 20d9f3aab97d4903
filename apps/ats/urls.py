from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api, export, key_views

urlpatterns = [
    path("api/v1/", include(api.router.urls)),
    path("api/v1/export/sessions.ndjson", export.sessions_ndjson, name="export_ndjson"),
    path("api/v1/export/sessions.csv", export.sessions_csv, name="export_csv"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("integrations/greenhouse/", include("apps.ats.greenhouse_urls")),
    path("settings/api-keys/", key_views.key_list, name="api_keys"),
    path("settings/api-keys/<str:prefix>/revoke/", key_views.key_revoke, name="api_key_revoke"),
    path("settings/webhooks/", include("apps.ats.webhook_urls")),
]
