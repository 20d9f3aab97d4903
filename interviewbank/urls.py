from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("apps.accounts.urls")),
    path("bank/", include("apps.bank.urls")),
    path("interviews/", include("apps.interviews.urls")),
    path("shortlists/", include("apps.shortlists.urls")),
    path("admin/", admin.site.urls),
    path("", include("apps.takehome.urls")),
    path("", include("apps.shortlists.share_urls")),
    path("", include("apps.ats.urls")),
    path("", include("apps.fairness.urls")),
]
