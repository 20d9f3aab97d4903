from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("candidates/<int:pk>/", views.candidate_rights, name="candidate"),
    path("candidates/<int:pk>/export/", views.candidate_export, name="export"),
    path("candidates/<int:pk>/erase/", views.candidate_erase, name="erase"),
    path("applications/<int:pk>/hold/", views.application_hold, name="hold"),
    path("retention/", views.retention_page, name="retention"),
]
