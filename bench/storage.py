"""Bytes per session item on PostgreSQL: copied questions (old layout) vs shared frozen ones.

What is measured (issue 15): every session item used to copy its question's prompt, guidance,
key points, follow-ups, red flags, rubric and minutes; now it points at a content-addressed
FrozenQuestion shared by every session that froze the same content. The bench creates N
sessions of one 30-question kit of the shipped bank (real text: ``import_bank``) through the
service, in a throw-away database, and reports ``pg_total_relation_size`` (heap, TOAST and
indexes) per item:

- after: the session-item table, plus the frozen table amortised over the items;
- before: a table with the old layout (the same columns, constraints and indexes as the
  session-item table, minus ``frozen``, plus the copied columns), filled with the same items
  and their content copied in, as the pre-0013 schema held them.

Goal: the new layout at least 10x smaller per item.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/storage.py \\
        [--sessions 300] [--items 30]

Prints the figures and whether the goal is met; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
os.environ.pop("BENCH_DB_NAME", None)

GOAL_FACTOR = 10.0
OLD_TABLE = "bench_sessionitem_old_layout"


def create_sessions(n_sessions: int, n_items: int) -> int:
    """An organization, a position and ``n_sessions`` sessions of the same ``n_items``
    shipped questions (the longest texts first are not chosen: the bank's order)."""
    from django.core.management import call_command

    from apps.bank.models import Kit, Question
    from apps.interviews import services
    from tests.factories import OrganizationFactory

    call_command("import_bank", verbosity=0)
    org = OrganizationFactory()
    kit = Kit.objects.filter(organization=None).order_by("key").first()
    position = services.position_create(
        organization=org, created_by=None, client_company="Bench", title="MES Engineer",
        track=kit.track, level=kit.level, kit=kit, job_description="",
    )  # fmt: skip
    questions = list(Question.objects.filter(organization=None, is_latest=True)[:n_items])
    if len(questions) < n_items:
        raise SystemExit(f"the shipped bank has only {len(questions)} questions")
    for i in range(n_sessions):
        candidate = services.candidate_create(
            organization=org, name=f"Candidate {i}", email=f"c{i}@example.com"
        )
        services.session_create(position=position, candidate=candidate, questions=questions)
    return n_sessions * n_items


def build_old_layout(cursor) -> None:
    """The pre-0013 table: today's columns, constraints and indexes without ``frozen``, plus
    the copied content, filled with today's items."""
    from apps.interviews.models import FrozenQuestion, SessionItem

    items, frozen = SessionItem._meta.db_table, FrozenQuestion._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {OLD_TABLE}")
    cursor.execute(f"CREATE TABLE {OLD_TABLE} (LIKE {items} INCLUDING ALL)")
    cursor.execute(f"ALTER TABLE {OLD_TABLE} DROP COLUMN frozen_id")
    cursor.execute(
        f"ALTER TABLE {OLD_TABLE} ADD COLUMN prompt text NOT NULL DEFAULT '', "
        "ADD COLUMN guidance text NOT NULL DEFAULT '', "
        "ADD COLUMN key_points jsonb NOT NULL DEFAULT '[]', "
        "ADD COLUMN follow_ups jsonb NOT NULL DEFAULT '[]', "
        "ADD COLUMN red_flags jsonb NOT NULL DEFAULT '[]', "
        "ADD COLUMN rubric jsonb NOT NULL DEFAULT '[]', "
        "ADD COLUMN expected_minutes smallint NOT NULL DEFAULT 10"
    )
    # The old table had an index on each foreign key, session (also first in the unique pair)
    # and question. LIKE ... INCLUDING ALL copied today's (primary key, unique pair, question);
    # 0013 dropped the session one, so it is made again here.
    cursor.execute(f"CREATE INDEX {OLD_TABLE}_session ON {OLD_TABLE} (session_id)")
    keep = [f.column for f in SessionItem._meta.concrete_fields if f.column != "frozen_id"]
    content = ["prompt", "guidance", "key_points", "follow_ups", "red_flags", "rubric",
               "expected_minutes"]  # fmt: skip
    cols = ", ".join(f'"{c}"' for c in keep + content)
    select = ", ".join([f'i."{c}"' for c in keep] + [f'f."{c}"' for c in content])
    # Table and column names only: nothing from outside the code is formatted in.
    sql = f"INSERT INTO {OLD_TABLE} ({cols}) SELECT {select} FROM {items} i "  # noqa: S608
    cursor.execute(sql + f"JOIN {frozen} f ON f.id = i.frozen_id ORDER BY i.id")
    cursor.execute(f"VACUUM ANALYZE {OLD_TABLE}")
    cursor.execute(f"VACUUM ANALYZE {items}")
    cursor.execute(f"VACUUM ANALYZE {frozen}")


def sizes(cursor) -> dict[str, int]:
    from apps.interviews.models import FrozenQuestion, SessionItem

    out = {}
    for name in (SessionItem._meta.db_table, FrozenQuestion._meta.db_table, OLD_TABLE):
        cursor.execute("SELECT pg_total_relation_size(%s), pg_relation_size(%s)", [name, name])
        out[name], out[f"{name} (heap)"] = cursor.fetchone()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--items", type=int, default=30)
    args = parser.parse_args()
    if not (1 <= args.sessions <= 100_000 and 1 <= args.items <= 100):
        parser.error("--sessions 1..100000, --items 1..100")

    import django

    django.setup()
    from django.db import connection

    from apps.interviews.models import FrozenQuestion, SessionItem

    if connection.vendor != "postgresql":
        print("bench/storage.py needs PostgreSQL: set DATABASE_URL", file=sys.stderr)
        return 2
    connection.settings_dict["TEST"]["NAME"] = f"test_storage_bench_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        t0 = time.perf_counter()
        n = create_sessions(args.sessions, args.items)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"setup: {args.sessions} sessions x {args.items} shipped questions = {n} items "
              f"in {time.perf_counter() - t0:.1f} s; load average {load}, "
              f"{os.cpu_count()} cores")  # fmt: skip
        with connection.cursor() as cursor:
            build_old_layout(cursor)
            got = sizes(cursor)
        items = SessionItem._meta.db_table
        frozen = FrozenQuestion._meta.db_table
        assert SessionItem.objects.count() == n
        n_frozen = FrozenQuestion.objects.count()
        before = got[OLD_TABLE] / n
        after_items = got[items] / n
        after_frozen = got[frozen] / n
        after = after_items + after_frozen
        factor = before / after
        print(
            f"before (copies in every item): {before:8.0f} B/item "
            f"(heap {got[f'{OLD_TABLE} (heap)'] / n:.0f}, total {got[OLD_TABLE] / 1e6:.1f} MB)"
        )
        print(f"after  (shared frozen rows):   {after:8.0f} B/item = items {after_items:.0f} "
              f"(heap {got[f'{items} (heap)'] / n:.0f}) + frozen {after_frozen:.1f} amortised "
              f"({n_frozen} rows, {got[frozen] / 1e3:.0f} kB)")  # fmt: skip
        print(
            f"smaller by {factor:.1f}x; at 30M items: before {before * 30e6 / 1e9:.1f} GB, "
            f"after {after_items * 30e6 / 1e9:.1f} GB (+ frozen rows: one per question "
            f"version used)"
        )
        print(
            f"goal >= {GOAL_FACTOR:.0f}x smaller: {'met' if factor >= GOAL_FACTOR else 'NOT met'}"
        )
        return 0
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
