from django.apps import AppConfig


class TakehomeConfig(AppConfig):
    name = "apps.takehome"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.interviews import events

        from .receipts import on_event

        events.subscribe(on_event)
