# Candidate data rights (apps.privacy): the erasure mark on Candidate and the legal hold on
# Application.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0010_session_schedule_demo_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="erased_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="application",
            name="legal_hold",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="application",
            name="legal_hold_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="application",
            name="legal_hold_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="legal_hold_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
