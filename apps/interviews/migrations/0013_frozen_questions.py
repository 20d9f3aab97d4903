"""Session items share frozen questions instead of each copying the text and rubric.

Creates FrozenQuestion (content-addressed: apps.interviews.frozen.digest), points every existing
SessionItem at the row for its content (deduplicated in batches: one read of a batch, one
insert of the contents not seen before, one bulk update), then drops the copied columns and
the session-only index (the unique (session, order) index serves those lookups).

Reversible: going back re-adds the columns and copies each item's frozen content into them
(cheap: one pass in batches). On PostgreSQL the FK checks queued by the batch updates are fired
before the column becomes NOT NULL (SET CONSTRAINTS ALL IMMEDIATE), else ALTER TABLE refuses
("pending trigger events").
"""

import django.db.models.deletion
from django.db import migrations, models

from apps.interviews.frozen import CONTENT_FIELDS, digest

BATCH = 2000


def _fire_deferred_checks(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def dedupe(apps, schema_editor):
    SessionItem = apps.get_model("interviews", "SessionItem")
    FrozenQuestion = apps.get_model("interviews", "FrozenQuestion")
    db = schema_editor.connection.alias
    known = dict(FrozenQuestion.objects.using(db).values_list("digest", "pk"))
    last = 0
    while True:
        rows = list(
            SessionItem.objects.using(db)
            .filter(pk__gt=last, frozen__isnull=True)
            .order_by("pk")
            .values("pk", *CONTENT_FIELDS)[:BATCH]
        )
        if not rows:
            break
        last = rows[-1]["pk"]
        digests = [digest(row) for row in rows]
        new = {}
        for row, d in zip(rows, digests, strict=True):
            if d not in known and d not in new:
                new[d] = FrozenQuestion(digest=d, **{f: row[f] for f in CONTENT_FIELDS})
        if new:
            FrozenQuestion.objects.using(db).bulk_create(new.values())
            known.update(
                FrozenQuestion.objects.using(db)
                .filter(digest__in=list(new))
                .values_list("digest", "pk")
            )
        items = [
            SessionItem(pk=row["pk"], frozen_id=known[d])
            for row, d in zip(rows, digests, strict=True)
        ]
        SessionItem.objects.using(db).bulk_update(items, ["frozen"], batch_size=500)
    _fire_deferred_checks(schema_editor)


def copy_back(apps, schema_editor):
    SessionItem = apps.get_model("interviews", "SessionItem")
    db = schema_editor.connection.alias
    last = 0
    while True:
        items = list(
            SessionItem.objects.using(db)
            .filter(pk__gt=last)
            .select_related("frozen")
            .order_by("pk")[:BATCH]
        )
        if not items:
            break
        last = items[-1].pk
        for item in items:
            for name in CONTENT_FIELDS:
                setattr(item, name, getattr(item.frozen, name))
        SessionItem.objects.using(db).bulk_update(items, list(CONTENT_FIELDS), batch_size=500)
    _fire_deferred_checks(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0012_export_parts")]

    operations = [
        migrations.CreateModel(
            name="FrozenQuestion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("prompt", models.TextField()),
                ("guidance", models.TextField()),
                ("key_points", models.JSONField(default=list)),
                ("follow_ups", models.JSONField(default=list)),
                ("red_flags", models.JSONField(default=list)),
                ("rubric", models.JSONField(default=list)),
                ("expected_minutes", models.PositiveSmallIntegerField(default=10)),
            ],
        ),
        migrations.AddField(
            model_name="sessionitem",
            name="frozen",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="interviews.frozenquestion",
            ),
        ),
        migrations.RunPython(dedupe, copy_back, elidable=False),
        migrations.AlterField(
            model_name="sessionitem",
            name="frozen",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="interviews.frozenquestion",
            ),
        ),
        # The unique (session, order) index serves lookups by session: drop the single one.
        migrations.AlterField(
            model_name="sessionitem",
            name="session",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="interviews.candidatesession",
            ),
        ),
        # Defaults for the two text columns (state only), so that going back can re-add them
        # to a table that has rows before copy_back fills them.
        migrations.AlterField(
            model_name="sessionitem", name="prompt", field=models.TextField(default="")
        ),
        migrations.AlterField(
            model_name="sessionitem", name="guidance", field=models.TextField(default="")
        ),
        migrations.RemoveField(model_name="sessionitem", name="prompt"),
        migrations.RemoveField(model_name="sessionitem", name="guidance"),
        migrations.RemoveField(model_name="sessionitem", name="key_points"),
        migrations.RemoveField(model_name="sessionitem", name="follow_ups"),
        migrations.RemoveField(model_name="sessionitem", name="red_flags"),
        migrations.RemoveField(model_name="sessionitem", name="rubric"),
        migrations.RemoveField(model_name="sessionitem", name="expected_minutes"),
    ]
