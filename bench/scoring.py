"""Scoring benchmarks (SCORING.md v2: the application, every stage pooled).

1. Score one 30-item application rated by 3 interviewers with the pure engine (goal < 1 ms).
2. Rescore N applications (default 10,000; one 30-item, 3-interviewer session each) stored in
   the database through the same service the app uses (goal: 10,000 under 8 s; the rescore is
   one Python process, so one core, with PostgreSQL beside it), then rescore them again: the
   results did not change, so the second run writes nothing (goal: 0 rows written). Then the
   sessions' own stage results. Uses DATABASE_URL (PostgreSQL recommended) in a throw-away
   database created and dropped by Django's test runner machinery (named after DATABASE_URL's
   with _scoring_ and the pid); ANALYZE after loading, so the planner knows the tables.

    .venv/bin/python bench/scoring.py [--sessions 10000]

Prints every figure against its goal (MET / NOT MET), the load average and the core count;
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewbank.settings_test")


def engine_bench(repeats: int = 2000) -> None:
    from apps.scoring import engine

    rng = random.Random(7)
    comps = ["isa95_architecture", "erp_mes_integration", "multisite_programmes", "platforms"]
    role = engine.Role(track="enterprise", level=3, weights=dict.fromkeys(comps, 0.25))
    items = [
        engine.Item(
            id=f"Q{i}",
            competency=comps[i % 4],
            track=("plant", "enterprise", "core")[i % 3],
            level=2 + i % 3,
            weight=1.0,
            source="live",
            ratings=[rng.choice([1, 2, 3, 4]) for _ in range(3)],
        )
        for i in range(30)
    ]
    engine.score(role, items)  # warm up
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        engine.score(role, items)
        timings.append(time.perf_counter() - t0)
    timings.sort()
    median = statistics.median(timings) * 1e3
    print(
        f"engine: one 30-item, 3-interviewer application: "
        f"median {median:.3f}"
        f" ms, p95 {timings[int(0.95 * len(timings))] * 1e3:.3f} ms ({repeats} runs)"
    )
    goal("engine, one application (median)", "< 1 ms", f"{median:.3f} ms", median < 1)


def goal(name: str, target: str, value: str, met: bool) -> None:
    print(f"goal: {name} {target} ... run: {value} ... {'MET' if met else 'NOT MET'}")


def machine() -> str:
    load = os.getloadavg()
    return (
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) on "
        f"{os.cpu_count()} cores (shared with PostgreSQL and anything else running)"
    )


def db_bench(n_sessions: int, runs: int = 1) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from apps.interviews import services
    from apps.interviews.models import (
        Application,
        Candidate,
        CandidateSession,
        Rating,
        Scorecard,
        SessionItem,
    )
    from tests.factories import MembershipFactory, OrganizationFactory, make_kit, make_position

    setup_test_environment()
    # A name of its own, so a bench never collides with (or clobbers) the test suite's database.
    base = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{base}_scoring_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        org = OrganizationFactory()
        position = make_position(org, make_kit(30), client_company="Bench")
        raters = [MembershipFactory(organization=org).user for _ in range(3)]
        template = services.session_create(
            position=position,
            candidate=services.candidate_create(
                organization=org, name="Template", email="t@example.com"
            ),
            interviewers=raters,
        )
        tmpl_items = list(SessionItem.objects.filter(session=template).values())
        # Each item's rubric, read once (item.rubric would query its frozen version per item).
        rubric_of = {
            row["frozen_id"]: SessionItem.objects.get(pk=row["id"]).rubric for row in tmpl_items
        }
        t0 = time.perf_counter()
        rng = random.Random(3)
        batch = 1000
        made = 0
        while made < n_sessions:
            size = min(batch, n_sessions - made)
            candidates = Candidate.objects.bulk_create(
                [
                    Candidate(
                        organization=org,
                        name=f"Bench {made + i}",
                        email=f"bench{made + i}@example.com",
                        email_normalized=f"bench{made + i}@example.com",
                    )
                    for i in range(size)
                ]
            )
            applications = Application.objects.bulk_create(
                [
                    Application(
                        organization=org,
                        candidate=c,
                        position=position,
                        role_track=template.role_track,
                        role_level=template.role_level,
                        role_weights=template.role_weights,
                    )
                    for c in candidates
                ]
            )
            sessions = CandidateSession.objects.bulk_create(
                [
                    CandidateSession(
                        organization=org,
                        candidate=a.candidate,
                        application=a,
                        position=position,
                        role_track=template.role_track,
                        role_level=template.role_level,
                        role_weights=template.role_weights,
                        kit_key=template.kit_key,
                    )
                    for a in applications
                ]
            )
            items = SessionItem.objects.bulk_create(
                [
                    SessionItem(**{**row, "id": None, "session_id": s.pk})
                    for s in sessions
                    for row in tmpl_items
                ],
                batch_size=5000,
            )
            cards = Scorecard.objects.bulk_create(
                [
                    Scorecard(
                        session=s,
                        interviewer=r,
                        status="submitted",
                        submitted_at=template.created_at,
                        recommendation="yes",
                    )
                    for s in sessions
                    for r in raters
                ]
            )
            by_session: dict[int, list] = {}
            for item in items:
                by_session.setdefault(item.session_id, []).append(item)
            Rating.objects.bulk_create(
                [
                    Rating(
                        scorecard=c,
                        item=item,
                        criterion_key=crit["key"],
                        value=rng.choice([1, 2, 3, 4]),
                    )
                    for c in cards
                    for item in by_session[c.session_id]
                    for crit in rubric_of[item.frozen_id]
                ],
                batch_size=10000,
            )
            made += size
        ids = list(
            CandidateSession.objects.exclude(pk=template.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        print(
            f"setup: {len(ids)} sessions x 30 items x 3 interviewers "
            f"({Rating.objects.count()} ratings) in {time.perf_counter() - t0:.1f} s "
            f"on {connection.vendor}"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        app_ids = list(
            Application.objects.exclude(pk=template.application_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for run in range(1, runs + 1):
            if run > 1:
                # The same start as run 1: no stored results, so the first rescore writes all.
                Application.objects.filter(pk__in=app_ids).update(result=None, export_part=None)
                CandidateSession.objects.filter(pk__in=ids).update(result=None, export_part=None)
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("VACUUM ANALYZE")
            print(f"-- run {run} of {runs}")
            print(machine())
            t0 = time.perf_counter()
            done = services.applications_rescore(application_ids=app_ids, chunk_size=500)
            elapsed = time.perf_counter() - t0
            print(
                f"rescore: {done} applications in {elapsed:.2f} s "
                f"({elapsed / done * 1e3:.2f} ms per application, {done.written} written) "
                f"on {connection.vendor}"
            )
            print(machine())
            goal(f"rescore {done:,} applications", "< 8 s", f"{elapsed:.2f} s", elapsed < 8)
            t0 = time.perf_counter()
            again = services.applications_rescore(application_ids=app_ids, chunk_size=500)
            elapsed = time.perf_counter() - t0
            print(f"rescore again (nothing changed): {again} applications in {elapsed:.2f} s")
            goal("rows written by the second rescore", "0", f"{again.written}", again.written == 0)
            t0 = time.perf_counter()
            done = services.sessions_rescore(session_ids=ids, chunk_size=500)
            elapsed = time.perf_counter() - t0
            print(
                f"rescore: {done} sessions (stage results) in {elapsed:.2f} s "
                f"({elapsed / done * 1e3:.2f} ms per session, {done.written} written) "
                f"on {connection.vendor}"
            )
            print(machine())
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1, help="measure the rescores this often")
    args = parser.parse_args()
    engine_bench()
    db_bench(args.sessions, args.runs)
