from django.urls import path

from . import views

app_name = "fairness"
urlpatterns = [
    path("fairness/", views.adverse_impact, name="report"),
    path("takehome/about-you/", views.about_you, name="about_you"),
    # The e-mailed link ("a" for about you: a short path, its token redacted from logs).
    path("a/<str:token>/", views.about_you_link, name="about_you_link"),
    path(
        "interviews/candidates/<int:pk>/about-you/",
        views.about_you_request,
        name="about_you_request",
    ),
]
