"""Greenhouse Assessment Partner endpoints, at the paths Greenhouse's docs use (no trailing
slash): /integrations/greenhouse/list_tests, send_test, test_status, request_errors. The full
URLs are what an organization gives Greenhouse when it sets up the integration."""

from django.urls import path

from . import views

app_name = "greenhouse"
urlpatterns = [
    path("list_tests", views.ListTests.as_view(), name="list_tests"),
    path("send_test", views.SendTest.as_view(), name="send_test"),
    path("test_status", views.TestStatus.as_view(), name="test_status"),
    path("request_errors", views.RequestErrors.as_view(), name="request_errors"),
]
