"""Django registration of the scoring app: the one module here allowed to import Django."""

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "apps.scoring"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Scoring"
