from django.contrib import admin
from django.urls import include, path

from apps.accounts import privacy_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("bank/", include("apps.bank.urls")),
    path("interviews/", include("apps.interviews.urls")),
    path("shortlists/", include("apps.shortlists.urls")),
    path("audit/", include("apps.audit.urls")),
    path("calibration/", include("apps.calibration.urls")),
    path("privacy/", include("apps.privacy.urls")),
    # The candidate-facing privacy notice (no login), linked from every take-home page.
    path("privacy/notice/<slug:slug>/", privacy_views.privacy_notice, name="privacy_notice"),
    path("admin/", admin.site.urls),
    path("", include("apps.takehome.urls")),
    path("", include("apps.shortlists.share_urls")),
    path("", include("apps.ats.urls")),
    path("", include("apps.fairness.urls")),
]
