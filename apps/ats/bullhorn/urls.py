"""The org admin's Bullhorn pages, under /settings/bullhorn/."""

from django.urls import path

from . import views

app_name = "bullhorn"
urlpatterns = [
    path("", views.connection, name="connection"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("mappings/", views.mapping_add, name="mapping_add"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
]
