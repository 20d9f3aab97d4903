# Reserved for helper E (stored NDJSON export parts, export index). Operations are filled in by that work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("interviews", "0011_privacy")]

    operations = []
