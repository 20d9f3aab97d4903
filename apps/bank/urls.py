from django.urls import path

from . import views

app_name = "bank"
urlpatterns = [
    path("", views.question_list, name="question_list"),
    path("questions/<slug:key>/", views.question_detail, name="question_detail"),
    path("kits/", views.kit_list, name="kit_list"),
    path("kits/<slug:key>/", views.kit_detail, name="kit_detail"),
]
