# Reserved for helper D (candidate data rights: legal hold, erasure marks). Operations are filled in by that work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("interviews", "0010_session_schedule_demo_key")]

    operations = []
