# Kombo assessment API (helper H): the connection (keys encrypted) and the orders Kombo sent.
# Operations copied from makemigrations --dry-run.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import apps.ats.models.kombo


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ats", "0003_bullhorn"),
        ("interviews", "0006_position_stages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="KomboConnection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "integration_id",
                    models.CharField(
                        help_text="Kombo's integration id, e.g. workday:HWUTwvyx2wLoSUHphiWVrp28.",
                        max_length=200,
                    ),
                ),
                (
                    "region",
                    models.CharField(
                        choices=[("eu", "EU (api.kombo.dev)"), ("us", "US (api.us.kombo.dev)")],
                        default="eu",
                        max_length=2,
                    ),
                ),
                ("api_key_encrypted", models.TextField(editable=False)),
                ("webhook_secret_encrypted", models.TextField(editable=False)),
                (
                    "webhook_token",
                    models.CharField(
                        default=apps.ats.models.kombo.new_webhook_token,
                        editable=False,
                        max_length=64,
                        unique=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("packages_published_at", models.DateTimeField(blank=True, null=True)),
                ("packages_published", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kombo_connection",
                        to="accounts.organization",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="KomboOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kombo_order_id", models.CharField(max_length=100)),
                ("package_id", models.CharField(max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("received", "Received"),
                            ("created", "Invitation sent"),
                            ("cancelled", "Cancelled"),
                            ("failed", "Failed"),
                        ],
                        default="received",
                        max_length=10,
                    ),
                ),
                ("kombo_status", models.CharField(default="OPEN", max_length=20)),
                ("payload", models.JSONField(default=dict)),
                ("error", models.TextField(blank=True)),
                ("received_at", models.DateTimeField(auto_now_add=True)),
                ("processed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "connection",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="orders",
                        to="ats.komboconnection",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="kombo_orders",
                        to="accounts.organization",
                    ),
                ),
                (
                    "session",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="kombo_order",
                        to="interviews.candidatesession",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="interviews.positionstage",
                    ),
                ),
            ],
            options={
                "ordering": ["-received_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "kombo_order_id"), name="one_kombo_order_per_id"
                    )
                ],
            },
        ),
    ]
