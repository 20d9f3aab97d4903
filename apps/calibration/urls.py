from django.urls import path

from . import views

app_name = "calibration"
urlpatterns = [
    path("", views.report, name="report"),
    path("practice/", views.practice_list, name="practice_list"),
    path("practice/new/", views.practice_create, name="practice_create"),
    path("practice/<int:pk>/", views.practice_detail, name="practice_detail"),
    path("practice/<int:pk>/edit/", views.practice_edit, name="practice_edit"),
    path("practice/<int:pk>/delete/", views.practice_delete, name="practice_delete"),
]
