from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_form_submission")]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="calibration_aggregate_only",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Calibration reports show the panel as a whole and never name an interviewer."
                ),
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="retention_months",
            field=models.PositiveSmallIntegerField(
                choices=[(6, "6 months"), (12, "12 months"), (24, "24 months"), (48, "4 years")],
                default=24,
                help_text="Months after the final decision before a candidate's data is anonymised.",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="privacy_contact",
            field=models.CharField(
                blank=True,
                help_text="Whom candidates contact about their data (an e-mail address or a name).",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="collects_self_reported_groups",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Ask candidates, voluntarily, for self-reported group data (fairness report)."
                ),
            ),
        ),
    ]
