import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interviews", "0004_applications_backfill")]

    operations = [
        migrations.AlterField(
            model_name="candidatesession",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="interviews.application",
            ),
        ),
    ]
