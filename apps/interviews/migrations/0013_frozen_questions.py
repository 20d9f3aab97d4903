# Reserved for helper F (shared frozen question versions). Operations are filled in by that work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("interviews", "0012_export_parts")]

    operations = []
