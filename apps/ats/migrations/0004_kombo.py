# Reserved for helper H (Kombo assessment API). Operations are filled in by that work.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ats", "0003_bullhorn")]

    operations = []
