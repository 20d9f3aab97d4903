from django.urls import path

from . import views

app_name = "fairness"
urlpatterns = [
    path("fairness/", views.adverse_impact, name="report"),
    path("takehome/about-you/", views.about_you, name="about_you"),
]
