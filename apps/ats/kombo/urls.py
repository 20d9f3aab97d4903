"""Kombo: the webhook Kombo calls (one URL per connection, shown on the admin page) and the
org admin's page."""

from django.urls import path

from . import views

app_name = "kombo"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("publish/", views.publish, name="publish"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("webhook/<str:token>", views.webhook, name="webhook"),
]
