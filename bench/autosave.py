"""Take-home autosave under load (issue: autosave while typing, 200 candidates at once).

What is measured: the latency and throughput of ``POST /takehome/answers/<item_id>/`` (the
autosave the answer page sends while a candidate types) served by a real gunicorn on
PostgreSQL, with N simulated candidates saving at once. Each save goes through everything a
browser's does: the session cookie, the per-session form key, the invitation lookup, the
deadline checks and the compare-and-swap UPDATE on ``Answer.version``.

Why a second endpoint: the same load is run against a bare Django view
(``POST /bench/bare/<answer_id>/``, bench/bench_urls.py) that does only that UPDATE, through the
same server, middleware and database, without a session cookie. Its throughput is what the
hardware gives for one UPDATE per request, so the ratio says how much the autosave's own work
costs. Goals: autosave p95 < 50 ms and >= 50% of the bare view's throughput.

How: a throw-away test database (migrated, then dropped; Django's creation API), one
organization, a kit of written questions, one position, N candidates each with an invitation;
gunicorn (gthread) on a free 127.0.0.1 port; one httpx.AsyncClient per candidate, so cookies are
separate. Each candidate starts its assignment through its link (POST /t/<token>/), reads the
form key from /takehome/, then saves its first answer with the version the server last returned
(so saves succeed) and a random think time between saves. Both endpoints are warmed up first.
The load is closed-loop: by Little's law, latency under saturation is roughly
candidates / throughput minus the think time, so the think time sets how hard the server is hit.
The throughput ratio compares capacity only when both runs saturate the server (the default
short think time); with long think times (--think-ms 4000) both throughputs are set by the think
time, and the latencies show the unsaturated case.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/autosave.py \\
        [--candidates 200] [--seconds 20] [--requests-per-candidate 50] [--workers 4]

Loopback only; bounded in requests, in time per phase and overall. Prints the figures and
whether the goals are met; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS = "bench.settings_bench"
os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
os.environ.pop("BENCH_DB_NAME", None)  # the setup process derives the test database itself

HOST = "127.0.0.1"  # never anything else
GOAL_P95_MS = 50.0
GOAL_RATIO = 0.5
FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')
PARAGRAPH = (
    "The MES receives released work orders from the ERP at Level 4, splits them into "
    "operations, dispatches them to work centres and reports actual quantities, scrap and "
    "genealogy back. Quality holds stop the next operation until a disposition is recorded. "
)


class BenchError(Exception):
    """The bench cannot run or measure (not a slow result: those are printed)."""


# -- setup and teardown (Django ORM, synchronous) ---------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One candidate's link and the first answer it saves to."""

    token: str
    item_id: int
    answer_id: int


def create_seats(n: int, questions: int = 3) -> list[Seat]:
    """An organization, a kit of written questions, a position and ``n`` invitations."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.interviews import services
    from apps.interviews.models import Answer
    from apps.interviews.services import invitations
    from tests.factories import OrganizationFactory, make_kit, make_position

    org = OrganizationFactory()
    position = make_position(org, make_kit(questions), written=True, client_company="Bench")
    expires_at = timezone.now() + timedelta(days=1)
    seats = []
    for i in range(n):
        candidate = services.candidate_create(
            organization=org, name=f"Candidate {i}", email=f"candidate{i}@example.com"
        )
        created = invitations.invitation_create(
            position=position, candidate=candidate, expires_at=expires_at
        )
        answer_id, item_id = (
            Answer.objects.filter(item__session_id=created.invitation.session_id)
            .order_by("item__order", "item_id")
            .values_list("pk", "item_id")
            .first()
        )
        seats.append(Seat(created.token, item_id, answer_id))
    return seats


def saved_versions(seats: list[Seat]) -> int:
    """The sum of the answers' versions: every accepted save bumps one by one."""
    from django.db.models import Sum

    from apps.interviews.models import Answer

    ids = [s.answer_id for s in seats]
    return Answer.objects.filter(pk__in=ids).aggregate(total=Sum("version"))["total"] or 0


# -- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(
    *, port: int, workers: int, threads: int, db_name: str, log: IO[bytes]
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "BENCH_DB_NAME": db_name}
    cmd = [
        sys.executable, "-m", "gunicorn", "interviewbank.wsgi:application",
        "--chdir", str(ROOT),
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--keep-alive", "10",
        "--timeout", "30",
        "--graceful-timeout", "5",
        "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 (a fixed command: this interpreter's gunicorn)
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def log_tail(log: IO[bytes], lines: int = 30) -> str:
    log.flush()
    log.seek(0)
    return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])


async def wait_ready(base_url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"gunicorn exited with status {proc.returncode}")
            try:
                await client.get("/")
            except httpx.TransportError:
                await asyncio.sleep(0.2)
            else:
                return
    raise BenchError(f"gunicorn did not answer within {timeout:.0f} s")


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Candidate:
    seat: Seat
    rng: random.Random
    client: httpx.AsyncClient | None = None
    form_key: str = ""
    version: int = 0
    keystrokes: int = 0

    def next_text(self) -> str:
        """What the box holds after some more typing: a growing answer, 200 to 2,000 chars."""
        self.keystrokes += 1
        size = 200 + (self.keystrokes * 7) % 1800
        return (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]


@dataclass
class Sample:
    latency: float  # seconds
    status: int  # 0: no response (timeout, connection error)


@dataclass
class PhaseResult:
    name: str
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0
    client_cpu: float = 0.0

    @property
    def errors(self) -> Counter[int]:
        return Counter(s.status for s in self.samples if not 200 <= s.status < 300)

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, p: int) -> float:
        latencies = [s.latency for s in self.samples]
        if len(latencies) < 2:
            return latencies[0] * 1e3 if latencies else float("nan")
        return statistics.quantiles(latencies, n=100, method="inclusive")[p - 1] * 1e3


Send = Callable[[Candidate], Awaitable[Sample]]


def new_client(base_url: str) -> httpx.AsyncClient:
    # trust_env=False: no proxy from the environment may sit between the bench and 127.0.0.1.
    return httpx.AsyncClient(
        base_url=base_url,
        trust_env=False,
        timeout=10,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


async def start_takehome(c: Candidate) -> None:
    """Open the link like the candidate's browser: POST /t/<token>/, then GET /takehome/."""
    assert c.client is not None
    started = await c.client.post(f"/t/{c.seat.token}/")
    if started.status_code != 302:
        raise BenchError(f"starting a take-home answered {started.status_code}, not 302")
    page = await c.client.get("/takehome/")
    key = FORM_KEY.search(page.text)
    if page.status_code != 200 or key is None:
        raise BenchError(f"/takehome/ answered {page.status_code} without a form key")
    c.form_key = key.group(1)
    shown = re.search(rf'name="version-{c.seat.item_id}" value="(\d+)"', page.text)
    c.version = int(shown.group(1)) if shown else 0


async def timed_post(c: Candidate, url: str, headers: dict[str, str] | None = None) -> Sample:
    assert c.client is not None
    data = {"text": c.next_text(), "version": str(c.version)}
    t0 = time.perf_counter()
    try:
        response = await c.client.post(url, data=data, headers=headers)
    except httpx.HTTPError:
        return Sample(time.perf_counter() - t0, 0)
    sample = Sample(time.perf_counter() - t0, response.status_code)
    # A save answers the new version; a conflict answers the stored one: continue from either.
    if response.headers.get("content-type", "").startswith("application/json"):
        version = response.json().get("version")
        if isinstance(version, int):
            c.version = version
    return sample


async def send_autosave(c: Candidate) -> Sample:
    return await timed_post(
        c, f"/takehome/answers/{c.seat.item_id}/", headers={"X-Takehome-Key": c.form_key}
    )


async def send_bare(c: Candidate) -> Sample:
    return await timed_post(c, f"/bench/bare/{c.seat.answer_id}/")


async def run_phase(
    name: str,
    candidates: list[Candidate],
    send: Send,
    *,
    requests: int,
    seconds: float,
    think_ms: float,
) -> PhaseResult:
    """Every candidate saves up to ``requests`` times, stopping ``seconds`` after the start."""
    stop_at = time.perf_counter() + seconds

    async def one(c: Candidate) -> list[Sample]:
        samples: list[Sample] = []
        while len(samples) < requests and time.perf_counter() < stop_at:
            if think_ms:  # before the first save too: candidates do not type in lockstep
                await asyncio.sleep(c.rng.uniform(0, think_ms) / 1e3)
            samples.append(await send(c))
        return samples

    cpu0, t0 = time.process_time(), time.perf_counter()
    # In-flight requests time out after 10 s, so the phase ends by stop_at + 10 s.
    per_candidate = await asyncio.wait_for(
        asyncio.gather(*(one(c) for c in candidates)), timeout=seconds + 30
    )
    result = PhaseResult(name, [s for samples in per_candidate for s in samples])
    result.elapsed = time.perf_counter() - t0
    result.client_cpu = time.process_time() - cpu0
    return result


async def load(
    base_url: str, seats: list[Seat], proc: subprocess.Popen[bytes], args: argparse.Namespace
) -> list[PhaseResult]:
    """Warm-up and measured phases, autosave first, then the bare view."""
    await wait_ready(base_url, proc, timeout=30)
    candidates = [Candidate(seat, random.Random(i)) for i, seat in enumerate(seats)]
    phase = {"requests": args.requests_per_candidate, "seconds": args.seconds}

    # The autosave: every candidate holds its own session cookie.
    for c in candidates:
        c.client = new_client(base_url)
    try:
        gate = asyncio.Semaphore(32)  # start the assignments briskly, not all in one burst

        async def start(c: Candidate) -> None:
            async with gate:
                await start_takehome(c)

        await asyncio.wait_for(asyncio.gather(*(start(c) for c in candidates)), timeout=120)
        warm_autosave = await run_phase("warm-up", candidates, send_autosave,
                                        requests=args.warmup, seconds=10, think_ms=0)  # fmt: skip
        autosave = await run_phase(
            "autosave", candidates, send_autosave, think_ms=args.think_ms, **phase
        )
    finally:
        await asyncio.gather(*(c.client.aclose() for c in candidates if c.client))

    # The bare view: fresh clients without cookies, each candidate on its own Answer row.
    for c in candidates:
        c.client = new_client(base_url)
    try:
        warm_bare = await run_phase("warm-up", candidates, send_bare, requests=args.warmup,
                                    seconds=10, think_ms=0)  # fmt: skip
        bare = await run_phase("bare", candidates, send_bare, think_ms=args.think_ms, **phase)
    finally:
        await asyncio.gather(*(c.client.aclose() for c in candidates if c.client))
    return [warm_autosave, autosave, warm_bare, bare]


# -- report --------------------------------------------------------------------------------------


def report(result: PhaseResult, endpoint: str) -> None:
    errors = result.errors
    detail = ", ".join(f"{status or 'no response'}: {n}" for status, n in sorted(errors.items()))
    print(
        f"{result.name:<8} {endpoint}\n"
        f"  requests {len(result.samples)}, errors {sum(errors.values())}"
        f"{f' ({detail})' if detail else ''}\n"
        f"  latency p50 {result.percentile_ms(50):.1f} ms, p95 {result.percentile_ms(95):.1f} ms,"
        f" p99 {result.percentile_ms(99):.1f} ms\n"
        f"  throughput {result.throughput:.0f} req/s over {result.elapsed:.1f} s"
        f" (load client CPU {result.client_cpu / result.elapsed:.0%} of one core)"
    )


def verdict(autosave: PhaseResult, bare: PhaseResult) -> None:
    ratio = autosave.throughput / bare.throughput if bare.throughput else float("nan")
    p95 = autosave.percentile_ms(95)
    print(f"throughput ratio autosave/bare: {ratio:.2f}")
    print(f"goal autosave p95 < {GOAL_P95_MS:.0f} ms: {'met' if p95 < GOAL_P95_MS else 'NOT met'}")
    print(
        f"goal autosave throughput >= {GOAL_RATIO:.0%} of bare: "
        f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}"
    )


# -- main --------------------------------------------------------------------------------------


def bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=bounded(1, 1000), default=200)
    parser.add_argument("--seconds", type=bounded(1, 300), default=20, help="per measured phase")
    parser.add_argument("--requests-per-candidate", type=bounded(1, 10_000), default=50)
    parser.add_argument("--workers", type=bounded(1, 32), default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=bounded(1, 32), default=4, help="threads per worker")
    parser.add_argument("--think-ms", type=bounded(0, 10_000), default=20,
                        help="think time between saves: uniform in [0, think-ms]")  # fmt: skip
    parser.add_argument("--warmup", type=bounded(1, 100), default=3, help="saves per candidate")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from interviewbank.celery import app as celery_app

    if connection.vendor != "postgresql":
        print(
            "bench/autosave.py needs PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
            file=sys.stderr,
        )
        return 2
    celery_app.conf.task_always_eager = True  # invitation e-mails: in-process, into locmem

    # A name of its own, so the bench never clobbers the test suite's test database.
    connection.settings_dict["TEST"]["NAME"] = f"test_autosave_bench_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        db_name = connection.settings_dict["NAME"]
        t0 = time.perf_counter()
        seats = create_seats(args.candidates)
        print(
            f"setup: {len(seats)} candidates with invitations in database {db_name} "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        versions_before = saved_versions(seats)
        connection.close()  # the server's connections are the ones that matter now

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        with tempfile.TemporaryFile() as log:
            proc = start_server(
                port=port, workers=args.workers, threads=args.threads, db_name=db_name, log=log
            )
            print(
                f"server: gunicorn on {base_url}, {args.workers} workers x {args.threads} "
                f"threads; load: {args.candidates} candidates, up to "
                f"{args.requests_per_candidate} saves each within {args.seconds} s, think time "
                f"0-{args.think_ms} ms, {os.cpu_count()} CPUs shared by client, server and "
                f"database"
            )
            overall = 120 + 2 * (args.seconds + 30 + 10)
            try:
                phases = asyncio.run(
                    asyncio.wait_for(load(base_url, seats, proc, args), timeout=overall)
                )
            except (BenchError, TimeoutError) as exc:
                print(f"bench failed: {exc or 'overall timeout'}", file=sys.stderr)
                print(log_tail(log), file=sys.stderr)
                return 1
            finally:
                stop_server(proc)

        _, autosave, _, bare = phases
        print()
        report(autosave, "POST /takehome/answers/<item_id>/ (session, form key, checks, CAS)")
        report(bare, "POST /bench/bare/<answer_id>/ (the CAS UPDATE only)")
        print()
        verdict(autosave, bare)
        answered = sum(1 for p in phases for s in p.samples if 200 <= s.status < 300)
        rose = saved_versions(seats) - versions_before
        print(
            f"check: {answered} saves answered 2xx (warm-ups included); the answers' versions "
            f"rose by {rose}{'' if rose == answered else ' (MISMATCH)'}"
        )
        return 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
