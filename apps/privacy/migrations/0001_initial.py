# Candidate data rights: the retention job's notices and runs.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_organization_settings"),
        ("interviews", "0011_privacy"),
    ]

    operations = [
        migrations.CreateModel(
            name="RetentionNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_listed_at", models.DateTimeField()),
                (
                    "candidate",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="retention_notice",
                        to="interviews.candidate",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="retention_notices",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={
                "ordering": ["first_listed_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RetentionRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("ran_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("retention_months", models.PositiveSmallIntegerField()),
                ("due", models.JSONField(blank=True, default=list)),
                ("erased", models.JSONField(blank=True, default=list)),
                ("refused", models.JSONField(blank=True, default=list)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="retention_runs",
                        to="accounts.organization",
                    ),
                ),
            ],
            options={
                "ordering": ["-ran_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["organization", "ran_at"], name="privacy_ret_organiz_1ec0d2_idx"
                    )
                ],
            },
        ),
    ]
