from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "apps.bank"
    default_auto_field = "django.db.models.BigAutoField"
