# Reserved for helper G (Bullhorn connector). Operations are filled in by that work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ats", "0002_greenhouse_key_webhook_rotation")]

    operations = []
