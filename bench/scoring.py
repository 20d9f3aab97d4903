"""Scoring benchmarks (SCORING.md v2: the application, every stage pooled).

1. Score one 30-item application rated by 3 interviewers with the pure engine (goal < 1 ms).
2. Rescore N applications (default 10,000; one 30-item, 3-interviewer session each) stored in
   the database through the same service the app uses (goal < 10 s on one core), and their
   sessions' own stage results. Uses DATABASE_URL (PostgreSQL recommended) in a throw-away test
   database created and dropped by Django's test runner machinery.

    .venv/bin/python bench/scoring.py [--sessions 10000]

Prints the figures; asserts nothing about time.
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
    print(
        f"engine: one 30-item, 3-interviewer application: "
        f"median {statistics.median(timings) * 1e3:.3f}"
        f" ms, p95 {timings[int(0.95 * len(timings))] * 1e3:.3f} ms ({repeats} runs)"
    )


def db_bench(n_sessions: int) -> None:
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
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_scoring_bench_{os.getpid()}"
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
                    for crit in item.rubric
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
        t0 = time.perf_counter()
        done = services.applications_rescore(application_ids=app_ids, chunk_size=500)
        elapsed = time.perf_counter() - t0
        print(
            f"rescore: {done} applications in {elapsed:.2f} s "
            f"({elapsed / done * 1e3:.2f} ms per application; goal: 10,000 under 10 s) "
            f"on {connection.vendor}"
        )
        t0 = time.perf_counter()
        done = services.sessions_rescore(session_ids=ids, chunk_size=500)
        elapsed = time.perf_counter() - t0
        print(
            f"rescore: {done} sessions (stage results) in {elapsed:.2f} s "
            f"({elapsed / done * 1e3:.2f} ms per session) on {connection.vendor}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    engine_bench()
    db_bench(args.sessions)
