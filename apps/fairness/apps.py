from django.apps import AppConfig


class FairnessConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.fairness"
    verbose_name = "Fairness (self-reported groups)"

    def ready(self) -> None:
        from apps import outbox

        from . import links

        outbox.register(links.EMAIL_KIND, links.send_email)
