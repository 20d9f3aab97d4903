"""Bulk export benchmark (issue: NDJSON export of scored sessions for ATS clients).

What is measured: ``GET /api/v1/export/sessions.ndjson`` (apps.ats.export, authenticated with an
organization API key) streaming N scored sessions, next to a raw
``COPY (SELECT ...) TO STDOUT`` of the same rows read with psycopg 3: the same columns, the same
JSON key extractions from ``result``, the same joins to candidate and position and the same
order (updated_at, id). COPY is the floor of what PostgreSQL costs to produce those rows, so the
ratio says how much the Django/DRF/JSON layer costs on top. Goals: the API streams at >= 40% of
the COPY rate (rows/s), and the serving process grows by < 50 MB while it streams.

How: a throw-away test database (migrated, then dropped; Django's creation API), one
organization with an API key, a few positions, a few hundred candidates, and N sessions whose
stored ``result`` is a real one (a template session scored through the services by three
interviewers) with score, band, label, track fit and level fit varied per row (bulk_create, in
batches; VACUUM ANALYZE afterwards so neither side pays for hint bits or lacks statistics).

- ``--via server`` (default): gunicorn (1 gthread worker) on a free 127.0.0.1 port, settings
  bench.settings_bench; httpx streams the response and counts rows and bytes. Memory: the
  worker's RSS, polled during the stream and read from VmHWM (reset through
  /proc/<pid>/clear_refs where the kernel allows it), against its RSS after a warm-up request.
- ``--via client``: the same view through Django's test client in this process (no HTTP);
  memory is this process's RSS growth during the stream.

Each round streams the API, then runs the COPY; the best round of each is compared (other work
on the machine only ever slows a round down). Before the rounds, one untimed COPY warms the
database's cache and one small export (one candidate's sessions) warms the worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/export.py \\
        [--sessions 100000] [--via server|client] [--rounds 3] [--candidates 300]

MB = 10^6 bytes. Loopback only; every export is bounded in time (--max-seconds) and the database
has a statement timeout. Prints the figures and whether the goals are met; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.autosave import (  # noqa: E402 (sets DJANGO_SETTINGS_MODULE=bench.settings_bench)
    HOST,
    BenchError,
    bounded,
    free_port,
    log_tail,
    start_server,
    stop_server,
)

PATH = "/api/v1/export/sessions.ndjson"
GOAL_RATIO = 0.40
GOAL_GROWTH_MB = 50.0
BATCH = 2000
MB = 1e6
NAMES = [
    "Ana Souza", "José Álvarez", "Zoë Müller", "Łukasz Wiśniewski", "Søren Kierkegaard",
    "Priya Raman", "Chen Wei", "Olúwaseun Adébáyọ̀", "Émilie Dubois", "Jonas Berg",
    "Fatima Zahra", "Mateo Rossi", "Ingrid Håkansson", "Kenji Watanabe", "Aoife Ní Bhriain",
]  # fmt: skip
POSITIONS = [
    ("MES Engineer", "Northwind Foods"), ("Senior MES Architect", "Contoso Pharma"),
    ("Automation Engineer", "Fabrikam Metals"), ("ERP/MES Integration Lead", "Tailspin Auto"),
    ("OT Platform Engineer", "Litware Chemicals"),
]  # fmt: skip


# -- setup (Django ORM) ------------------------------------------------------------------------


def template_result(rng: random.Random) -> tuple:
    """An organization, its API key and positions, and the result of a really scored session."""
    from apps.ats.models import OrganizationAPIKey
    from apps.interviews import services
    from tests.factories import MembershipFactory, OrganizationFactory, make_kit

    org = OrganizationFactory(name="Export Bench Talent")
    _, raw_key = OrganizationAPIKey.objects.create_key(name="export bench", organization=org)
    kit = make_kit(12)
    positions = [
        services.position_create(
            organization=org,
            created_by=None,
            client_company=company,
            title=title,
            track=kit.track,
            level=kit.level,
            job_description="Shop-floor MES: dispatching, genealogy, quality holds.",
            kit=kit,
        )
        for title, company in POSITIONS
    ]
    raters = [MembershipFactory(organization=org).user for _ in range(3)]
    template = services.session_create(
        position=positions[0],
        candidate=services.candidate_create(
            organization=org, name="Template Candidate", email="template@example.com"
        ),
        interviewers=raters,
    )
    items = list(template.items.all())
    for rater, recommendation in zip(raters, ["yes", "strong_yes", "no_decision"], strict=True):
        card = services.scorecard_for(session=template, interviewer=rater)
        data = services.ScorecardData()
        for item in items:
            for crit in item.rubric:
                data.ratings[(item.pk, crit["key"])] = rng.choice([1, 2, 3, 3, 4])
        data.recommendation = recommendation
        services.scorecard_save_draft(scorecard=card, data=data)
        services.scorecard_submit(scorecard=card)
    template.refresh_from_db()
    if not template.result or "band" not in template.result:
        raise BenchError("the template session has no stored result after its scorecards")
    return org, raw_key, positions, template


def varied(result: dict, rng: random.Random) -> dict:
    """The template result with the exported fields varied as real sessions would be."""
    out = copy.deepcopy(result)
    score = round(rng.uniform(15, 92), 1)
    half = round(rng.uniform(4, 14), 1)
    low, high = round(max(0.0, score - half), 1), round(min(100.0, score + half), 1)
    coverage = round(rng.uniform(0.55, 1.0), 3)
    if coverage < 0.6:
        label = "incomplete"
    elif low >= 60:
        label = "above_bar"
    elif high < 60:
        label = "below_bar"
    else:
        label = "borderline"
    out.update(score=score, band=[low, high], se=round(half / 1.645, 1), label=label)
    out["coverage"] = coverage
    out["level_fit"] = rng.choice([1, 2, 2, 3, 3, 4, "none"])
    track = out.get("track")
    if isinstance(track, dict):
        track["fit"] = rng.choice(["match", "match", "mismatch", "unclear"])
        track["orientation"] = rng.choice(["plant", "enterprise", "balanced"])
        track["lean"] = round(rng.uniform(-30, 30), 1)
    return out


def create_sessions(n_sessions: int, n_candidates: int, seed: int = 11) -> tuple:
    """Everything the export reads; returns (organization, raw API key, template session id)."""
    from django.db import connection
    from django.utils import timezone

    from apps.interviews.models import Candidate, CandidateSession

    rng = random.Random(seed)
    org, raw_key, positions, template = template_result(rng)
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                organization=org,
                name=f"{NAMES[i % len(NAMES)]} {i}",
                email=f"candidate{i}@example.com",
                email_normalized=f"candidate{i}@example.com",
                phone=f"+44 20 7946 {i % 10000:04d}",
            )
            for i in range(n_candidates)
        ]
    )
    made = 1  # the template session is exported too
    while made < n_sessions:
        size = min(BATCH, n_sessions - made)
        now = timezone.now()
        CandidateSession.objects.bulk_create(
            [
                CandidateSession(
                    organization=org,
                    candidate=rng.choice(candidates),
                    position=rng.choice(positions),
                    mode=rng.choice(["live", "live", "live", "take_home"]),
                    status=CandidateSession.Status.SCORED,
                    role_track=template.role_track,
                    role_level=template.role_level,
                    role_weights=template.role_weights,
                    kit_key=template.kit_key,
                    result=varied(template.result, rng),
                    scored_at=now,
                )
                for _ in range(size)
            ]
        )
        made += size
    tables = [m._meta.db_table for m in (CandidateSession, Candidate, type(positions[0]))]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    return org, raw_key, template.pk


def expected_rows(org) -> tuple[int, int | None, int | None]:
    """The number of rows the export should give, and its first and last session ids."""
    from apps.interviews.models import CandidateSession

    qs = CandidateSession.objects.filter(organization=org)
    first = qs.order_by("updated_at", "id").values_list("id", flat=True).first()
    last = qs.order_by("-updated_at", "-id").values_list("id", flat=True).first()
    return qs.count(), first, last


# -- memory ------------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    """A /proc/<pid>/status field in KiB (VmRSS: now, VmHWM: peak since start or reset)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise BenchError(f"no {field} in /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if the kernel refuses."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssPoller:
    """Samples a process's VmRSS every ``interval`` seconds in a thread; keeps the maximum."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, status_kb(self.pid, "VmRSS"))
            except (OSError, BenchError):
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def worker_pid(master: int, timeout: float = 10) -> int:
    """The pid of the gunicorn master's (single) worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
        if len(children) == 1:
            return children[0]
        time.sleep(0.1)
    raise BenchError("could not find the gunicorn worker's pid")


@dataclass
class Memory:
    before_kb: int  # RSS before the measured exports, after the warm-up
    peak_kb: int  # the highest RSS seen during them (polled, and VmHWM when it could be reset)
    hwm_reset: bool

    @property
    def growth_mb(self) -> float:
        return max(0, self.peak_kb - self.before_kb) * 1024 / MB


# -- the two exports ---------------------------------------------------------------------------


@dataclass
class Run:
    rows: int
    nbytes: int
    seconds: float
    first_id: int | None = None
    last_id: int | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / MB / self.seconds if self.seconds else 0.0


def count_ndjson(chunks: Iterable[bytes], t0: float, deadline: float) -> Run:
    """Count the lines and bytes of an NDJSON stream; keep the first and last session ids."""
    rows = nbytes = 0
    head = b""
    tail = b""
    for chunk in chunks:
        nbytes += len(chunk)
        rows += chunk.count(b"\n")
        if b"\n" not in head:
            head += chunk[:4096]
        tail = (tail + chunk)[-8192:]
        if time.perf_counter() > deadline:
            raise BenchError(f"the export did not finish in time ({rows} rows read)")
    seconds = time.perf_counter() - t0

    def session_id(line: bytes) -> int | None:
        return json.loads(line)["session_id"] if line.strip() else None

    last_lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    return Run(
        rows,
        nbytes,
        seconds,
        first_id=session_id(head.split(b"\n", 1)[0]) if rows else None,
        last_id=session_id(last_lines[-1]) if rows else None,
    )


def export_http(client: httpx.Client, raw_key: str, max_seconds: float, query=None) -> Run:
    headers = {"Authorization": f"Api-Key {raw_key}", "Accept-Encoding": "identity"}
    t0 = time.perf_counter()
    with client.stream("GET", PATH, headers=headers, params=query) as response:
        if response.status_code != 200:
            response.read()
            raise BenchError(f"GET {PATH} answered {response.status_code}: {response.text[:300]}")
        return count_ndjson(response.iter_raw(), t0, t0 + max_seconds)


def export_in_process(raw_key: str, max_seconds: float, query=None) -> Run:
    from django.test import Client

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    t0 = time.perf_counter()
    response = client.get(PATH, query or {})
    try:
        if response.status_code != 200 or not response.streaming:
            raise BenchError(f"GET {PATH} answered {response.status_code}")
        return count_ndjson(response.streaming_content, t0, t0 + max_seconds)
    finally:
        response.close()


def copy_sql(organization_id: int):
    """The export's query as raw SQL (apps.ats.export.export_queryset; KT() is ->> and #>>)."""
    from psycopg import sql

    from apps.interviews.models import Candidate, CandidateSession, Position

    return sql.SQL(
        """COPY (
    SELECT s.id, s.candidate_id, c.name, c.email, s.position_id, p.title, p.client_company,
           s.mode, s.status,
           s.result ->> 'label', s.result ->> 'score',
           s.result #>> '{{band,0}}', s.result #>> '{{band,1}}',
           s.result #>> '{{track,fit}}', s.result #>> '{{track,orientation}}',
           s.result ->> 'level_fit', s.result ->> 'scoring_version',
           s.created_at, s.updated_at, s.scored_at
    FROM {sessions} s
    JOIN {candidates} c ON c.id = s.candidate_id
    JOIN {positions} p ON p.id = s.position_id
    WHERE s.organization_id = {org}
    ORDER BY s.updated_at, s.id
) TO STDOUT"""
    ).format(
        sessions=sql.Identifier(CandidateSession._meta.db_table),
        candidates=sql.Identifier(Candidate._meta.db_table),
        positions=sql.Identifier(Position._meta.db_table),
        org=sql.Literal(organization_id),
    )


def export_copy(conn, statement, max_seconds: float) -> Run:
    nbytes = 0
    deadline = time.perf_counter() + max_seconds
    with conn.cursor() as cursor:
        t0 = time.perf_counter()
        with cursor.copy(statement) as copy_out:
            for block in copy_out:
                nbytes += len(block)
                if time.perf_counter() > deadline:
                    raise BenchError("the COPY did not finish in time")
        seconds = time.perf_counter() - t0
        return Run(cursor.rowcount, nbytes, seconds)


def psycopg_connect(max_seconds: float):
    """A plain psycopg 3 connection to the bench's test database (not Django's)."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    params = {
        "dbname": s["NAME"],
        "user": s.get("USER"),
        "password": s.get("PASSWORD"),
        "host": s.get("HOST"),
        "port": s.get("PORT"),
    }
    conn = psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)
    conn.execute(f"SET statement_timeout = {int(max_seconds * 1000)}")
    return conn


# -- rounds and report -------------------------------------------------------------------------


@dataclass
class Outcome:
    api: list[Run]
    copy: list[Run]
    memory: Memory


def measure(
    export: Callable[[], Run],
    warm_up: Callable[[], Run],
    copy_once: Callable[[], Run],
    pid: int,
    rounds: int,
) -> Outcome:
    copy_once()  # untimed: the database's cache
    warm_up()  # untimed: the process loads the view's code paths and opens its connection
    hwm_reset = reset_peak(pid)
    before = status_kb(pid, "VmRSS")
    api_runs, copy_runs = [], []
    with RssPoller(pid) as poller:
        for _ in range(rounds):
            api_runs.append(export())
            copy_runs.append(copy_once())
    peak = poller.peak_kb
    if hwm_reset:
        peak = max(peak, status_kb(pid, "VmHWM"))
    return Outcome(api_runs, copy_runs, Memory(before, peak, hwm_reset))


def describe(run: Run) -> str:
    return (
        f"{run.rows} rows, {run.nbytes / MB:.1f} MB ({run.nbytes / max(run.rows, 1):.0f} B/row)"
        f" in {run.seconds:.2f} s: {run.rows_per_s:,.0f} rows/s, {run.mb_per_s:.1f} MB/s"
    )


def report(outcome: Outcome, expected: tuple, via: str) -> None:
    n, first_id, last_id = expected
    api = max(outcome.api, key=lambda r: r.rows_per_s)
    raw = max(outcome.copy, key=lambda r: r.rows_per_s)
    where = "gunicorn worker" if via == "server" else "this process, in-process client"
    print()
    for i, (a, c) in enumerate(zip(outcome.api, outcome.copy, strict=True), 1):
        print(f"round {i}: API  {describe(a)}")
        print(f"         COPY {describe(c)}")
    print()
    print(f"API  (best of {len(outcome.api)}): {describe(api)}")
    print(f"COPY (best of {len(outcome.copy)}): {describe(raw)}")
    if len(outcome.api) > 1:
        median = statistics.median(r.rows_per_s for r in outcome.api) / statistics.median(
            r.rows_per_s for r in outcome.copy
        )
        print(f"median ratio API/COPY (rows/s): {median:.2f}")
    ratio = api.rows_per_s / raw.rows_per_s if raw.rows_per_s else float("nan")
    mb_ratio = api.mb_per_s / raw.mb_per_s if raw.mb_per_s else float("nan")
    print(f"ratio API/COPY: {ratio:.2f} in rows/s ({mb_ratio:.2f} in MB/s)")
    mem = outcome.memory
    print(
        f"memory ({where}): RSS {mem.before_kb * 1024 / MB:.1f} MB before the exports, peak "
        f"{mem.peak_kb * 1024 / MB:.1f} MB during them: growth {mem.growth_mb:.1f} MB "
        f"({'VmHWM reset + ' if mem.hwm_reset else ''}RSS polled every 20 ms)"
    )
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    print(
        f"bench process peak RSS (whole run, setup included; for information): {client_peak:.1f} MB"
    )
    print()
    met = ratio >= GOAL_RATIO
    print(f"goal API >= {GOAL_RATIO:.0%} of the COPY rate: {'met' if met else 'NOT met'}")
    print(
        f"goal memory growth < {GOAL_GROWTH_MB:.0f} MB: "
        f"{'met' if mem.growth_mb < GOAL_GROWTH_MB else 'NOT met'}"
    )
    problems = []
    for run in outcome.api:
        if (run.rows, run.first_id, run.last_id) != (n, first_id, last_id):
            problems.append(f"API gave {run.rows} rows ({run.first_id}..{run.last_id})")
    for run in outcome.copy:
        if run.rows != n:
            problems.append(f"COPY gave {run.rows} rows")
    print(
        f"check: {n} sessions expected, first id {first_id}, last id {last_id}: "
        + ("every run matched" if not problems else "MISMATCH: " + "; ".join(problems))
    )


# -- main --------------------------------------------------------------------------------------


def run_server(org, raw_key: str, db_name: str, args) -> Outcome:
    from django.db import connection

    from apps.interviews.models import Candidate

    one_candidate = Candidate.objects.filter(organization=org).order_by("pk").first().pk
    connection.close()  # the server's connections are the ones that matter now
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    with tempfile.TemporaryFile() as log:
        proc = start_server(port=port, workers=1, threads=2, db_name=db_name, log=log)
        try:
            wait_ready(base_url, proc, timeout=30)
            pid = worker_pid(proc.pid)
            print(f"server: gunicorn on {base_url}, 1 worker (pid {pid}) x 2 threads")
            # trust_env=False: no proxy from the environment between the bench and 127.0.0.1.
            timeout = httpx.Timeout(60.0)
            with (
                httpx.Client(base_url=base_url, trust_env=False, timeout=timeout) as client,
                psycopg_connect(args.max_seconds) as conn,
            ):
                statement = copy_sql(org.pk)
                return measure(
                    export=lambda: export_http(client, raw_key, args.max_seconds),
                    warm_up=lambda: export_http(
                        client, raw_key, args.max_seconds, {"candidate": one_candidate}
                    ),
                    copy_once=lambda: export_copy(conn, statement, args.max_seconds),
                    pid=pid,
                    rounds=args.rounds,
                )
        except (BenchError, httpx.HTTPError) as exc:
            print(log_tail(log), file=sys.stderr)
            raise BenchError(str(exc) or type(exc).__name__) from exc
        finally:
            stop_server(proc)


def run_in_process(org, raw_key: str, args) -> Outcome:
    from apps.interviews.models import Candidate

    one_candidate = Candidate.objects.filter(organization=org).order_by("pk").first().pk
    print("client: Django's test client in this process (no HTTP, no gunicorn)")
    # WhiteNoise warns that no collectstatic ran; the export serves no static file.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    with psycopg_connect(args.max_seconds) as conn:
        statement = copy_sql(org.pk)
        return measure(
            export=lambda: export_in_process(raw_key, args.max_seconds),
            warm_up=lambda: export_in_process(
                raw_key, args.max_seconds, {"candidate": one_candidate}
            ),
            copy_once=lambda: export_copy(conn, statement, args.max_seconds),
            pid=os.getpid(),
            rounds=args.rounds,
        )


def wait_ready(base_url: str, proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"gunicorn exited with status {proc.returncode}")
            try:
                client.get("/")
            except httpx.TransportError:
                time.sleep(0.2)
            else:
                return
    raise BenchError(f"gunicorn did not answer within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=bounded(1, 5_000_000), default=100_000)
    parser.add_argument("--candidates", type=bounded(1, 100_000), default=300)
    parser.add_argument("--via", choices=["server", "client"], default="server",
                        help="gunicorn over HTTP, or the test client in-process")  # fmt: skip
    parser.add_argument("--rounds", type=bounded(1, 20), default=3)
    parser.add_argument("--max-seconds", type=bounded(10, 3600), default=600,
                        help="upper bound on any single export or COPY")  # fmt: skip
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from interviewbank.celery import app as celery_app

    if connection.vendor != "postgresql":
        print(
            "bench/export.py compares with PostgreSQL's COPY, so it needs PostgreSQL: set "
            "DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
            file=sys.stderr,
        )
        return 2
    celery_app.conf.task_always_eager = True  # anything the scorecard submits enqueue

    # A name of its own, so the bench never clobbers the test suite's test database.
    connection.settings_dict["TEST"]["NAME"] = f"test_export_bench_{os.getpid()}"
    t0 = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        db_name = connection.settings_dict["NAME"]
        print(f"setup: test database {db_name} migrated in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        org, raw_key, _ = create_sessions(args.sessions, args.candidates)
        expected = expected_rows(org)
        print(
            f"setup: {expected[0]} scored sessions, {args.candidates} candidates, "
            f"{len(POSITIONS)} positions in {time.perf_counter() - t0:.1f} s "
            f"(bulk_create in batches of {BATCH}, then VACUUM ANALYZE); "
            f"{os.cpu_count()} CPUs shared by the bench, the server and PostgreSQL"
        )
        try:
            if args.via == "server":
                outcome = run_server(org, raw_key, db_name, args)
            else:
                outcome = run_in_process(org, raw_key, args)
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        report(outcome, expected, args.via)
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
