"""Erasing one candidate from a large audit history, on PostgreSQL.

What is measured: ``apps.audit.events.scrub`` (the last step of an erasure) over an
organization whose audit log holds N entries (default 200,000, JSON changes of ~200 bytes
each), of which 5 name the candidate: once reading every entry in Python (the way it worked
before the database narrowed the search), once with the database first selecting the entries
whose text could name the person (ILIKE patterns, a superset of the Python pattern). Each run
starts from the same rows (a savepoint is rolled back between them); both must change the
same 5 entries.

Goal: the narrowed scrub at least 10x faster than reading every entry.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/erasure.py \\
        [--entries 200000]

A throw-away test database (created and dropped); prints the figures, the load average and
the core count, and whether the goal is met; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewbank.settings_test")

GOAL_FACTOR = 10.0
NAME, EMAIL = "Priya Nandakumar", "priya.nandakumar@example.com"


def main(entries: int) -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        print("bench/erasure.py needs PostgreSQL: set DATABASE_URL=postgres://...")
        return 1
    setup_test_environment()
    base = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{base}_erasure_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from django.contrib.contenttypes.models import ContentType

        from apps.audit import events
        from apps.audit.models import AuditEntry
        from apps.interviews.models import Application
        from tests.factories import OrganizationFactory

        org = OrganizationFactory()
        ct = ContentType.objects.get_for_model(Application)
        t0 = time.perf_counter()
        batch = 10_000
        for start in range(0, entries, batch):
            AuditEntry.objects.bulk_create(
                AuditEntry(
                    organization=org,
                    content_type=ct,
                    object_pk=str(i),
                    object_id=i,
                    object_repr=f"Candidate {i} for MES Engineer (Contoso)",
                    action=AuditEntry.Action.UPDATE,
                    changes={
                        "state": ["active", "advanced"],
                        "state_reason": ["", f"Strong on dispatching and genealogy, ref {i}"],
                    },
                )
                for i in range(start, min(start + batch, entries))
            )
        named = AuditEntry.objects.filter(organization=org).order_by("?")[:5]
        for entry in named:
            entry.changes = {"state_reason": ["", f"{NAME} asked to withdraw ({EMAIL})"]}
            entry.save(update_fields=["changes"])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"setup: {entries:,} audit entries (5 naming the candidate) in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        figures = {}
        for narrow in (False, True):
            with transaction.atomic():
                t0 = time.perf_counter()
                changed = events.scrub(organization=org, strings=[NAME, EMAIL], narrow=narrow)
                elapsed = time.perf_counter() - t0
                transaction.set_rollback(True)  # the next run starts from the same rows
            label = "narrowed by the database" if narrow else "every entry read"
            print(f"scrub, {label}: {elapsed:.2f} s, {changed} entries changed")
            figures[narrow] = (elapsed, changed)
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
        (full, full_changed), (fast, fast_changed) = figures[False], figures[True]
        factor = full / fast if fast else float("inf")
        same = full_changed == fast_changed == 5
        print(f"check: both changed the same 5 entries: {'yes' if same else 'NO'}")
        met = factor >= GOAL_FACTOR and same
        print(
            f"goal: narrowed scrub >= {GOAL_FACTOR:.0f}x faster ... run: {factor:.1f}x ... "
            f"{'MET' if met else 'NOT MET'}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    args = parser.parse_args()
    sys.exit(main(args.entries))
