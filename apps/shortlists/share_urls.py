"""The client's link pages, at /s/<token>/ (the token is redacted from logs like /t/)."""

from django.urls import path

from . import share_views

app_name = "share"
urlpatterns = [
    path("s/<str:token>/", share_views.open_link, name="open"),
    path("s/<str:token>/decide/<int:application_pk>/", share_views.decide, name="decide"),
    path("s/<str:token>/pdf/", share_views.download_pdf, name="pdf"),
]
