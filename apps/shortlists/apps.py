from django.apps import AppConfig


class ShortlistsConfig(AppConfig):
    name = "apps.shortlists"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Shortlists and client sharing"

    def ready(self) -> None:
        from apps import outbox

        from . import notify, services

        outbox.register(services.SHARE_EMAIL, notify.share_email, secret_keys=("token",))
        outbox.register(services.DECISION_EMAIL, notify.decision_email)
