"""Stored export parts (apps/interviews/services/export_parts.py) and the export's index.

The fields are added empty; the data step fills the part of every row that has a result, in
batches of ids on PostgreSQL (one UPDATE per batch, computed by the database from the stored
result, as the scoring service does). Elsewhere the part is not used and stays empty. The index
(organization, updated_at, id) replaces (organization, updated_at): it serves the same lookups
and also the export's ORDER BY updated_at, id without a sort.
"""

from django.db import migrations, models

BATCH = 5000


def part_sql(model, ref: str) -> str:
    # Imported here (not at module level): the SQL is the scoring service's, kept in one place.
    from apps.interviews.services import export_parts

    return export_parts.part_sql(model, ref)


def fill_parts(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    for name in ("CandidateSession", "Application"):
        model = apps.get_model("interviews", name)
        table = schema_editor.quote_name(model._meta.db_table)
        sql = (
            f"UPDATE {table} SET export_part = {part_sql(model, 'result')} "  # noqa: S608 - names from model meta
            "WHERE id >= %s AND id < %s AND result IS NOT NULL"
        )
        ids = model.objects.filter(result__isnull=False)
        low = ids.order_by("pk").values_list("pk", flat=True).first()
        high = ids.order_by("-pk").values_list("pk", flat=True).first()
        if low is None:
            continue
        with connection.cursor() as cursor:
            for start in range(low, high + 1, BATCH):
                cursor.execute(sql, [start, start + BATCH])


class Migration(migrations.Migration):
    dependencies = [("interviews", "0011_privacy")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="export_part",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="candidatesession",
            name="export_part",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RemoveIndex(model_name="application", name="interviews__organiz_e6e888_idx"),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["organization", "updated_at", "id"], name="application_export_order"
            ),
        ),
        migrations.RemoveIndex(
            model_name="candidatesession", name="interviews__organiz_f333d7_idx"
        ),
        migrations.AddIndex(
            model_name="candidatesession",
            index=models.Index(
                fields=["organization", "updated_at", "id"], name="session_export_order"
            ),
        ),
        migrations.RunPython(fill_parts, migrations.RunPython.noop),
    ]
