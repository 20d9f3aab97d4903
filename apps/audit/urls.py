"""The audit trail's pages: the organization's history and one object's (org admins only)."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.organization_history, name="history"),
    path("<slug:model>/<str:key>/", views.object_history, name="object_history"),
]
