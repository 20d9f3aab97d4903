from django.apps import AppConfig


class AtsConfig(AppConfig):
    name = "apps.ats"
    verbose_name = "ATS integration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Listen to the interviews app's domain events (webhooks, ATS partner callbacks).
        from . import listeners, schema  # noqa: F401
