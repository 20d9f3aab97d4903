from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "apps.interviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox kinds this app sends (the take-home link's e-mail).
        from .services import notifications, scheduling

        notifications.register()
        scheduling.register()
