"""Drop django-auditlog's own ``auditlog_logentry`` table.

Entries live in ``audit.AuditEntry`` (settings.AUDITLOG_LOGENTRY_MODEL), but auditlog's migrations
create its stock table anyway. Nothing reads or writes it, and its foreign key to auth_user made
PostgreSQL refuse the TRUNCATE with which transactional tests reset the database (the table is
not in Django's list of tables to flush, because its model is swapped out).

If a later django-auditlog release adds a migration that alters ``auditlog_logentry``, make
this migration depend on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS auditlog_logentry", reverse_sql=migrations.RunSQL.noop
        ),
    ]
