from django.apps import AppConfig


class TakehomeConfig(AppConfig):
    name = "apps.takehome"
    default_auto_field = "django.db.models.BigAutoField"
