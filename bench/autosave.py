"""Take-home autosave under load (issue: autosave while typing, 200 candidates at once).

What is measured: the latency and throughput of ``POST /takehome/answers/<item_id>/`` (the
autosave the answer page sends while a candidate types) served by a real gunicorn on
PostgreSQL. Each save goes through everything a browser's does: the session cookie, the
per-session form key, the invitation's rule (started, not submitted or revoked, within the
deadline plus grace) and the compare-and-swap on ``Answer.version``; on PostgreSQL that is one
SQL statement (apps/interviews/services/answer_fast.py).

The baseline: the same load against a bare Django view (``POST /bench/bare/<answer_id>/``,
bench/bench_urls.py) that does only the compare-and-swap UPDATE, through the same server,
middleware and database, without a session cookie.

How it avoids misleading itself:
- the server (gunicorn, all workers) is pinned to core 0 and this load client to core 1
  (``taskset``/``sched_setaffinity``; PostgreSQL is not pinned), so the client does not steal
  the server's CPU;
- bare and autosave phases are interleaved A/B/A/B (``--rounds``), so load drift on the
  machine hits both alike; the ratio is reported per round and overall;
- phases end on time only (no request cap that the faster endpoint would hit first);
- server CPU per request: utime + stime of the gunicorn workers (/proc/<pid>/stat) before and
  after each phase, over the requests answered;
- latency is stated at a fixed arrival rate: ``--candidates`` candidates each saving once per
  ``1/--rate`` s (open loop: sends are scheduled at fixed times, latency counts from the
  scheduled time, so queueing is charged).

Goals: autosave throughput >= 0.85 of the bare view's (saturating, pinned cores); p95 < 20 ms
at 200 candidates x 1 save/s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/autosave.py \\
        [--candidates 200] [--seconds 8] [--rounds 2] [--rate 1] [--open-seconds 15]

A throw-away test database (migrated, then dropped); loopback only; bounded in time per phase
and overall. Prints the figures, the load average and core count, and each goal; asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
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
GOAL_P95_MS = 20.0
GOAL_RATIO = 0.85
SERVER_CORE, CLIENT_CORE = 0, 1
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
    pin = ["taskset", "-c", str(SERVER_CORE)] if pinned() else []
    cmd = [
        *pin, sys.executable, "-m", "gunicorn", "interviewbank.wsgi:application",
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


def pinned() -> bool:
    """Pin server and client apart when there are two cores and ``taskset`` to do it."""
    return len(os.sched_getaffinity(0)) >= 2 and shutil.which("taskset") is not None


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
    client: httpx.AsyncClient | None = None  # with the candidate's session cookie
    bare_client: httpx.AsyncClient | None = None  # no cookie: the bare view needs none
    form_key: str = ""
    version: int = 0  # shared by both endpoints: they write the same Answer row
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
    server_cpu: float = 0.0  # seconds of the gunicorn workers' CPU (utime + stime)
    load: float = 0.0  # the 1-minute load average at the end

    @property
    def errors(self) -> Counter[int]:
        return Counter(s.status for s in self.samples if not 200 <= s.status < 300)

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu * 1e3 / len(self.samples) if self.samples else float("nan")

    def percentile_ms(self, p: int) -> float:
        latencies = [s.latency for s in self.samples]
        if len(latencies) < 2:
            return latencies[0] * 1e3 if latencies else float("nan")
        return statistics.quantiles(latencies, n=100, method="inclusive")[p - 1] * 1e3


Send = Callable[[Candidate], Awaitable[Sample]]
TICKS = os.sysconf("SC_CLK_TCK")


def workers_cpu(master: int) -> float:
    """CPU seconds (user + system) of gunicorn's workers: the children of ``master``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        # After the ")" of the command: state, ppid, ..., utime (14th field) at index 11.
        if int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


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


async def timed_post(
    client: httpx.AsyncClient,
    c: Candidate,
    url: str,
    headers: dict[str, str] | None = None,
    since: float | None = None,
) -> Sample:
    """One save; latency from ``since`` (the scheduled send time, open loop) or from now."""
    data = {"text": c.next_text(), "version": str(c.version)}
    t0 = time.perf_counter() if since is None else since
    try:
        response = await client.post(url, data=data, headers=headers)
    except httpx.HTTPError:
        return Sample(time.perf_counter() - t0, 0)
    sample = Sample(time.perf_counter() - t0, response.status_code)
    # A save answers the new version; a conflict answers the stored one: continue from either.
    if response.headers.get("content-type", "").startswith("application/json"):
        version = response.json().get("version")
        if isinstance(version, int):
            c.version = version
    return sample


async def send_autosave(c: Candidate, since: float | None = None) -> Sample:
    assert c.client is not None
    return await timed_post(
        c.client, c, f"/takehome/answers/{c.seat.item_id}/",
        headers={"X-Takehome-Key": c.form_key}, since=since,
    )  # fmt: skip


async def send_bare(c: Candidate, since: float | None = None) -> Sample:
    assert c.bare_client is not None
    return await timed_post(c.bare_client, c, f"/bench/bare/{c.seat.answer_id}/", since=since)


async def run_closed(
    name: str, candidates: list[Candidate], send: Send, *, seconds: float, master: int
) -> PhaseResult:
    """Saturation: every candidate saves again as soon as its last save answered, for
    ``seconds`` (no request cap: the phase ends on time only)."""
    stop_at = time.perf_counter() + seconds

    async def one(c: Candidate) -> list[Sample]:
        samples: list[Sample] = []
        await asyncio.sleep(c.rng.uniform(0, 0.02))  # do not start in lockstep
        while time.perf_counter() < stop_at:
            samples.append(await send(c))
        return samples

    cpu0, t0 = workers_cpu(master), time.perf_counter()
    per_candidate = await asyncio.wait_for(
        asyncio.gather(*(one(c) for c in candidates)), timeout=seconds + 30
    )
    result = PhaseResult(name, [s for samples in per_candidate for s in samples])
    result.elapsed = time.perf_counter() - t0
    result.server_cpu = workers_cpu(master) - cpu0
    result.load = os.getloadavg()[0]
    return result


async def run_open(
    name: str, candidates: list[Candidate], send, *, rate: float, seconds: float, master: int
) -> PhaseResult:
    """A fixed arrival rate: candidate i saves at t0 + i/N/rate + k/rate, k = 0, 1, ...
    whatever the server does (open loop); each latency counts from its scheduled time, so a
    save queued behind a slow one is charged its wait."""
    t0 = time.perf_counter() + 0.5
    n = len(candidates)

    async def one(i: int, c: Candidate) -> list[Sample]:
        samples: list[Sample] = []
        k = 0
        while True:
            due = t0 + (i / n + k) / rate
            if due >= t0 + seconds:
                return samples
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            samples.append(await send(c, since=due))
            k += 1

    cpu0 = workers_cpu(master)
    per_candidate = await asyncio.wait_for(
        asyncio.gather(*(one(i, c) for i, c in enumerate(candidates))), timeout=seconds + 30
    )
    result = PhaseResult(name, [s for samples in per_candidate for s in samples])
    result.elapsed = max(seconds, time.perf_counter() - t0)
    result.server_cpu = workers_cpu(master) - cpu0
    result.load = os.getloadavg()[0]
    return result


async def load(
    base_url: str, seats: list[Seat], proc: subprocess.Popen[bytes], args: argparse.Namespace
) -> dict[str, list[PhaseResult]]:
    """Warm-up, then bare and autosave phases interleaved A/B/A/B (so load drift hits both
    alike), then the open-loop phase at the fixed arrival rate."""
    await wait_ready(base_url, proc, timeout=30)
    candidates = [Candidate(seat, random.Random(i)) for i, seat in enumerate(seats)]
    for c in candidates:
        c.client, c.bare_client = new_client(base_url), new_client(base_url)
    phases: dict[str, list[PhaseResult]] = {"warm": [], "bare": [], "autosave": [], "open": []}
    closed = {"seconds": args.seconds, "master": proc.pid}
    try:
        gate = asyncio.Semaphore(32)  # start the assignments briskly, not all in one burst

        async def start(c: Candidate) -> None:
            async with gate:
                await start_takehome(c)

        await asyncio.wait_for(asyncio.gather(*(start(c) for c in candidates)), timeout=120)
        for send in (send_autosave, send_bare):
            phases["warm"].append(
                await run_closed("warm-up", candidates, send, seconds=3, master=proc.pid)
            )
        for rnd in range(args.rounds):
            phases["bare"].append(
                await run_closed(f"bare {rnd + 1}", candidates, send_bare, **closed)
            )
            phases["autosave"].append(
                await run_closed(f"autosave {rnd + 1}", candidates, send_autosave, **closed)
            )
        phases["open"].append(
            await run_open(
                "open loop",
                candidates,
                send_autosave,
                rate=args.rate,
                seconds=args.open_seconds,
                master=proc.pid,
            )
        )
    finally:
        clients = [x for c in candidates for x in (c.client, c.bare_client) if x]
        await asyncio.gather(*(x.aclose() for x in clients))
    return phases


# -- report --------------------------------------------------------------------------------------


def report(result: PhaseResult) -> None:
    errors = result.errors
    detail = ", ".join(f"{status or 'no response'}: {n}" for status, n in sorted(errors.items()))
    print(
        f"{result.name:<11} {len(result.samples):6d} req {result.throughput:6.0f} req/s  "
        f"p50 {result.percentile_ms(50):6.1f} p95 {result.percentile_ms(95):6.1f} "
        f"p99 {result.percentile_ms(99):6.1f} ms  server CPU {result.cpu_ms_per_request:.2f} "
        f"ms/req  load {result.load:.2f}  errors {sum(errors.values())}"
        f"{f' ({detail})' if detail else ''}"
    )


def verdict(phases: dict[str, list[PhaseResult]], args: argparse.Namespace) -> None:
    bare, auto = phases["bare"], phases["autosave"]
    pairs = [a.throughput / b.throughput for a, b in zip(auto, bare, strict=True) if b.throughput]
    total = sum(len(a.samples) for a in auto) / sum(a.elapsed for a in auto)
    total /= sum(len(b.samples) for b in bare) / sum(b.elapsed for b in bare)
    cpu_auto = sum(a.server_cpu for a in auto) * 1e3 / sum(len(a.samples) for a in auto)
    cpu_bare = sum(b.server_cpu for b in bare) * 1e3 / sum(len(b.samples) for b in bare)
    opened = phases["open"][0]
    p95 = opened.percentile_ms(95)
    print(f"throughput ratio autosave/bare per round: {', '.join(f'{r:.2f}' for r in pairs)}; "
          f"overall {total:.2f}")  # fmt: skip
    print(f"server CPU per request: autosave {cpu_auto:.2f} ms, bare {cpu_bare:.2f} ms "
          f"(ratio {cpu_bare / cpu_auto:.2f})")  # fmt: skip
    print(f"open loop: {args.candidates} candidates x {args.rate:g} save/s = "
          f"{opened.throughput:.0f} req/s answered, p95 {p95:.1f} ms")  # fmt: skip
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"goal throughput >= {GOAL_RATIO:.2f} of bare (pinned cores): {total:.2f} "
          f"{'met' if total >= GOAL_RATIO else 'NOT met'}")  # fmt: skip
    print(f"goal p95 < {GOAL_P95_MS:.0f} ms at {args.candidates} x {args.rate:g}/s: {p95:.1f} ms "
          f"{'met' if p95 < GOAL_P95_MS else 'NOT met'}")  # fmt: skip


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
    parser.add_argument("--seconds", type=bounded(1, 300), default=8,
                        help="per saturating phase")  # fmt: skip
    parser.add_argument("--rounds", type=bounded(1, 10), default=2, help="A/B rounds")
    parser.add_argument("--rate", type=float, default=1.0, help="saves/s per candidate (open)")
    parser.add_argument("--open-seconds", type=bounded(1, 300), default=15)
    parser.add_argument("--workers", type=bounded(1, 32), default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=bounded(1, 32), default=4, help="threads per worker")
    args = parser.parse_args()
    if not 0.01 <= args.rate <= 20:
        parser.error("--rate must be between 0.01 and 20")

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
            pin = pinned()  # start_server pinned the server on the same condition
            if pin:
                os.sched_setaffinity(0, {CLIENT_CORE})
            print(
                f"server: gunicorn on {base_url}, {args.workers} workers x {args.threads} "
                f"threads, "
                + (f"pinned to core {SERVER_CORE}, load client to core {CLIENT_CORE}"
                   if pin else "NOT pinned (needs 2 cores and taskset)")
                + f"; PostgreSQL unpinned; {os.cpu_count()} cores; {args.candidates} "
                f"candidates; {args.rounds} x (bare, autosave) of {args.seconds} s saturating; "
                f"open loop {args.rate:g} save/s each for {args.open_seconds} s"
            )  # fmt: skip
            overall = 180 + 2 * args.rounds * (args.seconds + 30) + args.open_seconds + 30
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

        print()
        print("bare:     POST /bench/bare/<answer_id>/ (the CAS UPDATE only)")
        print("autosave: POST /takehome/answers/<item_id>/ (session, form key, rule, CAS)")
        for a, b in zip(phases["bare"], phases["autosave"], strict=True):
            report(a)
            report(b)
        report(phases["open"][0])
        print()
        verdict(phases, args)
        answered = sum(
            1 for ps in phases.values() for p in ps for s in p.samples if 200 <= s.status < 300
        )
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
