from django.urls import path

from . import views

app_name = "shortlists"
urlpatterns = [
    path("", views.index, name="index"),
    path("positions/<int:pk>/compare/", views.compare, name="compare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/update/", views.update, name="update"),
    path("<int:pk>/share/", views.share_shortlist, name="share"),
    path("<int:pk>/pdf/", views.shortlist_pdf, name="pdf"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/share/", views.share_report, name="share_report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("links/<int:pk>/revoke/", views.revoke, name="revoke"),
]
