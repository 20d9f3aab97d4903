from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "apps.outbox"
    verbose_name = "Outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The generic "email" kind: a prepared message, sent as it is.
        from . import email, register

        register(email.KIND, email.send_prepared)
