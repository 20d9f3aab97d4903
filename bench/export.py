"""Bulk export benchmark (issue 15: NDJSON export of scored sessions for ATS clients).

What is measured: ``GET /api/v1/export/sessions.ndjson`` (apps.ats.export, authenticated with an
organization API key) streaming N scored sessions, against two baselines run on the same rows
by psycopg 3, in the same rounds:

- **raw COPY**: ``COPY (SELECT ...) TO STDOUT`` of the same columns (the result's fields
  extracted from ``result``), joins and order, with no JSON built: what PostgreSQL costs to hand
  over the rows. Goal: the API streams at >= 0.70 of its rows/s.
- **NDJSON COPY**: the export's own COPY statement (apps.ats.export._pg_line_sql, the lines
  built by the database from the stored parts), read and thrown away: the physical limit of
  this design. Goal: the API streams at >= 0.90 of its rows/s.
- for information, the **old NDJSON COPY** (json_build_object over the extracted result fields,
  the export before the stored parts; still the CSV path's shape).

Also: time to the API's first byte (goal < 500 ms, at N rows and, unless --first-byte-at 0, at
1M rows after topping the data up), whether the plan sorts (EXPLAIN: no Sort node at 1M rows),
the serving process's memory growth (goal < 50 MB), one gzip run (Accept-Encoding: gzip), the
load average and the core count. Every figure is printed against its goal: MET / NOT MET.

How: a throw-away database (Django's creation API; named after DATABASE_URL's, with _export_
and the pid), one organization with an API key, 5 positions, a few hundred candidates and their
applications, one session really scored through the services (3 interviewers), and N sessions
cloned from it in SQL (INSERT ... SELECT generate_series, no ORM: 900k more rows took 82-203 s
on a shared, loaded 2-core machine), each with its result varied (score, band, label, level
and track fit) and its export part computed from that result by the same SQL the scoring
service uses; VACUUM ANALYZE afterwards.

- ``--via server`` (default): gunicorn (1 gthread worker) on a free 127.0.0.1 port, settings
  bench.settings_bench; httpx streams the response. Memory: the worker's RSS, polled, and VmHWM.
- ``--via client``: the same view through Django's test client in this process.

Each round streams the API, then runs each baseline; the best round of each is compared (other
work on the machine only ever slows a round down).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ib_e_bench .venv/bin/python bench/export.py \\
        [--rows 100000] [--first-byte-at 1000000] [--via server|client] [--rounds 3]

MB = 10^6 bytes. Loopback only; every export is bounded in time (--max-seconds) and the database
has a statement timeout. Prints the figures and whether the goals are met; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import warnings
import zlib
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
GOAL_RAW = 0.70  # API rows/s over raw COPY rows/s
GOAL_NDJSON = 0.90  # API rows/s over the export's own COPY rows/s
GOAL_FIRST_BYTE_MS = 500.0
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


def _columns(cursor, table: str) -> list[str]:
    from django.db import connection

    return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _clone_sql(
    cursor, table: str, template: int, overrides: dict[str, str], source: str, ctes: str = ""
) -> str:
    """INSERT ... SELECT copying the template row's columns, with ``overrides`` (column: SQL
    expression) and ``source`` (the FROM clause after the template row ``tmpl``). The template
    is read once (a materialized CTE): scanning the table being filled per row is quadratic."""
    cols = [c for c in _columns(cursor, table) if c != "id"]
    values = ", ".join(overrides.get(c, f'tmpl."{c}"') for c in cols)
    names = ", ".join(f'"{c}"' for c in cols)
    return (
        f'WITH tmpl AS MATERIALIZED (SELECT * FROM "{table}" WHERE id = {int(template)}){ctes} '  # noqa: S608 - bench: names from model meta
        f'INSERT INTO "{table}" ({names}) SELECT {values} FROM tmpl, {source}'
    )


# The result varied per row in SQL, as real sessions vary (score, band, label, fits).
VARIED_RESULT = """(SELECT jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(
        tmpl.result, '{score}', to_jsonb(x.score)),
        '{band}', jsonb_build_array(greatest(0, x.score - x.half), least(100, x.score + x.half))),
        '{label}', to_jsonb(CASE WHEN x.coverage < 0.6 THEN 'incomplete'
                                 WHEN x.score - x.half >= 60 THEN 'above_bar'
                                 WHEN x.score + x.half < 60 THEN 'below_bar'
                                 ELSE 'borderline' END)),
        '{level_fit}', (ARRAY['1', '2', '2', '3', '3', '4', '"none"']::jsonb[])[1 + k % 7]),
        '{track,fit}', to_jsonb((ARRAY['match', 'match', 'mismatch', 'unclear'])[1 + k % 4])),
        '{coverage}', to_jsonb(x.coverage))
    FROM (SELECT round((15 + 77 * random() + 0 * k)::numeric, 1) AS score,
                 round((4 + 10 * random())::numeric, 1) AS half,
                 round((0.55 + 0.45 * random())::numeric, 3) AS coverage) AS x)"""
# (0 * k: the random draws depend on the variant, so PostgreSQL draws them per variant, not
# once.) jsonb_set on a full result costs about a millisecond on a loaded machine: 1,000
# variants are made once and the rows share them (1M rows: minutes, not hours).
VARIANTS = 1000


def load_sessions(org, template, positions, start: int, stop: int) -> None:
    """Sessions start+1 .. stop cloned from the template session in SQL, each with a varied
    result and its export part (the scoring service's SQL), spread over the candidates'
    applications; updated_at rises with the row number."""
    from django.db import connection

    from apps.interviews.models import Application, CandidateSession
    from apps.interviews.services import export_parts

    apps = list(
        Application.objects.filter(organization=org)
        .exclude(pk=template.application_id)
        .order_by("pk")
        .values_list("pk", "candidate_id", "position_id")
    )
    table = CandidateSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [0.25 + start / 1e8])
        pick = f"(1 + (g::bigint * 7919) %% {len(apps)})"
        part = export_parts.part_sql(CandidateSession, "r")
        varied = VARIED_RESULT.replace("%", "%%")
        sql = _clone_sql(
            cursor,
            table,
            template.pk,
            {
                "candidate_id": f"(%(cands)s::bigint[])[{pick}]",
                "position_id": f"(%(poss)s::bigint[])[{pick}]",
                "application_id": f"(%(apps)s::bigint[])[{pick}]",
                "mode": "(ARRAY['live', 'live', 'live', 'take_home'])[1 + g %% 4]",
                "status": "'scored'",
                "result": "v.r",
                "export_part": "v.part",
                "created_at": "now() - interval '30 days' + g * interval '1 ms'",
                "updated_at": "now() - interval '20 days' + g * interval '1 ms'",
                "scored_at": "now() - interval '20 days' + g * interval '1 ms'",
            },
            "generate_series(%(start)s, %(stop)s) AS g "
            f"JOIN variants AS v ON v.k = g %% {VARIANTS}",
            ctes=f", variants AS MATERIALIZED (SELECT k, r, {part} AS part FROM (SELECT k, "  # noqa: S608 - bench: our constants
            f"{varied} AS r FROM tmpl, generate_series(0, {VARIANTS - 1}) AS k) AS x)",
        )
        cursor.execute(
            sql,
            {
                "cands": [a[1] for a in apps],
                "poss": [a[2] for a in apps],
                "apps": [a[0] for a in apps],
                "start": start + 1,
                "stop": stop,
            },
        )


def create_sessions(n_sessions: int, n_candidates: int, seed: int = 11) -> tuple:
    """Everything the export reads; returns (organization, raw API key, template session)."""
    from django.db import connection

    from apps.interviews.models import Application, Candidate

    rng = random.Random(seed)
    org, raw_key, positions, template = template_result(rng)
    with connection.cursor() as cursor:
        table = Candidate._meta.db_table
        names = "(ARRAY[" + ", ".join(f"'{n}'" for n in NAMES) + "])"
        cursor.execute(
            _clone_sql(
                cursor,
                table,
                template.candidate_id,
                {
                    "name": f"{names}[1 + g %% {len(NAMES)}] || ' ' || g",
                    "email": "'candidate' || g || '@example.com'",
                    "email_normalized": "'candidate' || g || '@example.com'",
                },
                "generate_series(1, %s) AS g",
            ),
            [n_candidates],
        )
        # One application per (candidate, position), as the services would have made them.
        cursor.execute(
            _clone_sql(
                cursor,
                Application._meta.db_table,
                template.application_id,
                {
                    "candidate_id": "c.id",
                    "position_id": "p.id",
                    "result": "NULL",
                    "export_part": "NULL",
                    "scored_at": "NULL",
                },
                f'"{table}" AS c, unnest(%s::bigint[]) AS p(id) '
                "WHERE c.organization_id = %s AND c.id <> %s",
            ),
            [[p.pk for p in positions], org.pk, template.candidate_id],
        )
    t0 = time.perf_counter()
    load_sessions(org, template, positions, 1, n_sessions)
    t1 = time.perf_counter()
    vacuum()
    print(
        f"setup: sessions inserted in {t1 - t0:.1f} s, "
        f"VACUUM ANALYZE {time.perf_counter() - t1:.1f} s"
    )
    return org, raw_key, template


def vacuum() -> None:
    from django.db import connection

    from apps.interviews.models import Application, Candidate, CandidateSession, Position

    with connection.cursor() as cursor:
        for model in (CandidateSession, Candidate, Position, Application):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')


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


# -- the export and its baselines --------------------------------------------------------------


@dataclass
class Run:
    rows: int
    nbytes: int
    seconds: float
    first_byte: float | None = None  # seconds to the first byte (API runs)
    first_id: int | None = None
    last_id: int | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / MB / self.seconds if self.seconds else 0.0


def count_ndjson(chunks: Iterable[bytes], t0: float, deadline: float, gz: bool = False) -> Run:
    """Count the lines and bytes of an NDJSON stream; keep the first and last session ids."""
    rows = nbytes = 0
    head = b""
    tail = b""
    first_byte = None
    inflate = zlib.decompressobj(31) if gz else None
    for raw in chunks:
        if not raw:
            continue
        if first_byte is None:
            first_byte = time.perf_counter() - t0
        nbytes += len(raw)
        chunk = inflate.decompress(raw) if inflate else raw
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
        first_byte=first_byte,
        first_id=session_id(head.split(b"\n", 1)[0]) if rows else None,
        last_id=session_id(last_lines[-1]) if rows else None,
    )


def export_http(
    client: httpx.Client, raw_key: str, max_seconds: float, query=None, gz: bool = False
) -> Run:
    headers = {
        "Authorization": f"Api-Key {raw_key}",
        "Accept-Encoding": "gzip" if gz else "identity",
    }
    t0 = time.perf_counter()
    with client.stream("GET", PATH, headers=headers, params=query) as response:
        if response.status_code != 200:
            response.read()
            raise BenchError(f"GET {PATH} answered {response.status_code}: {response.text[:300]}")
        if gz and response.headers.get("Content-Encoding") != "gzip":
            raise BenchError("asked for gzip, got no Content-Encoding: gzip")
        return count_ndjson(response.iter_raw(), t0, t0 + max_seconds, gz)


def export_in_process(raw_key: str, max_seconds: float, query=None, gz: bool = False) -> Run:
    from django.test import Client

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    t0 = time.perf_counter()
    response = client.get(PATH, query or {}, HTTP_ACCEPT_ENCODING="gzip" if gz else "identity")
    try:
        if response.status_code != 200 or not response.streaming:
            raise BenchError(f"GET {PATH} answered {response.status_code}")
        return count_ndjson(response.streaming_content, t0, t0 + max_seconds, gz)
    finally:
        response.close()


def raw_copy_sql(organization_id: int):
    """The export's rows as raw SQL, no JSON built: the same columns (the result's fields
    extracted with ->> and #>>), joins and order."""
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


def export_statements(org) -> dict[str, tuple]:
    """The export's own COPY (stored parts) and the old one (json_build_object), with their
    bound parameters, exactly as apps.ats.export builds them."""
    from django.http import QueryDict

    from apps.ats import export

    lines_qs = export._line_queryset(org, QueryDict(), export.SESSIONS)
    old_qs = export.export_queryset(org, QueryDict(), export.SESSIONS)
    return {
        "ndjson": export._pg_line_sql(lines_qs, export.SESSIONS),
        "old": export._pg_copy_sql(old_qs, "ndjson", export.COLUMNS),
        "select": lines_qs.query.sql_with_params(),
    }


def export_copy(conn, statement, max_seconds: float, params=None) -> Run:
    nbytes = 0
    deadline = time.perf_counter() + max_seconds
    with conn.cursor() as cursor:
        t0 = time.perf_counter()
        with cursor.copy(statement, params) as copy_out:
            for block in copy_out:
                nbytes += len(block)
                if time.perf_counter() > deadline:
                    raise BenchError("the COPY did not finish in time")
        seconds = time.perf_counter() - t0
        return Run(cursor.rowcount, nbytes, seconds)


def plan_sorts(conn, select: tuple) -> tuple[bool, str]:
    """Whether the export's query plan has a Sort node, and the plan's first lines."""
    sql, params = select
    with conn.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    return any("Sort" in line.split("(")[0] for line in plan), "\n".join(plan[:8])


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
    raw: list[Run]
    ndjson: list[Run]
    old: list[Run]
    gzip: Run | None
    memory: Memory
    fixed_first_byte: float  # first byte of a one-candidate export: the cost before any row


def measure(export, warm_up, baselines: dict, pid: int, rounds: int, gz=None) -> Outcome:
    for run in baselines.values():
        run()  # untimed: the database's cache
    warm_up()  # untimed: the process loads the view's code paths and opens its connection
    # A one-candidate export, 3 times (both server threads open their connection): its first
    # byte is the cost before any row (authentication, filters, planning, scheduling).
    fixed = min(warm_up().first_byte for _ in range(3))
    hwm_reset = reset_peak(pid)
    before = status_kb(pid, "VmRSS")
    runs: dict[str, list[Run]] = {"api": [], **{name: [] for name in baselines}}
    with RssPoller(pid) as poller:
        for _ in range(rounds):
            runs["api"].append(export())
            for name, run in baselines.items():
                runs[name].append(run())
        gzip_run = gz() if gz else None
    peak = poller.peak_kb
    if hwm_reset:
        peak = max(peak, status_kb(pid, "VmHWM"))
    return Outcome(
        runs["api"], runs["raw"], runs["ndjson"], runs["old"], gzip_run,
        Memory(before, peak, hwm_reset), fixed,
    )  # fmt: skip


def describe(run: Run) -> str:
    first = f", first byte {run.first_byte * 1e3:.0f} ms" if run.first_byte is not None else ""
    return (
        f"{run.rows} rows, {run.nbytes / MB:.1f} MB ({run.nbytes / max(run.rows, 1):.0f} B/row)"
        f" in {run.seconds:.2f} s: {run.rows_per_s:,.0f} rows/s, {run.mb_per_s:.1f} MB/s{first}"
    )


def goal(name: str, target: str, value: str, met: bool) -> None:
    print(f"goal: {name} {target} ... run: {value} ... {'MET' if met else 'NOT MET'}")


def machine() -> str:
    load = os.getloadavg()
    return (
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1, 5, 15 min) on "
        f"{os.cpu_count()} cores (shared by the bench, the server and PostgreSQL)"
    )


LABELS = ("API        ", "raw COPY   ", "NDJSON COPY", "old NDJSON ")


def report(outcome: Outcome, expected: tuple, via: str) -> dict:
    n, first_id, last_id = expected
    best = {
        name: max(runs, key=lambda r: r.rows_per_s)
        for name, runs in (("api", outcome.api), ("raw", outcome.raw),
                           ("ndjson", outcome.ndjson), ("old", outcome.old))
    }  # fmt: skip
    where = "gunicorn worker" if via == "server" else "this process, in-process client"
    print()
    for i, runs in enumerate(
        zip(outcome.api, outcome.raw, outcome.ndjson, outcome.old, strict=True), 1
    ):
        for label, run in zip(LABELS, runs, strict=True):
            print(f"round {i}: {label} {describe(run)}")
    print()
    for name, label in (("api", "API"), ("raw", "raw COPY (no JSON)"),
                        ("ndjson", "NDJSON COPY (the export's SQL, to nowhere)"),
                        ("old", "old NDJSON COPY (json_build_object from result)")):  # fmt: skip
        print(f"best of {len(outcome.api)}, {label}: {describe(best[name])}")
    if outcome.gzip:
        print(
            f"API with Accept-Encoding: gzip (level 1), bytes on the wire: {describe(outcome.gzip)}"
        )
    api = best["api"]
    ratio_raw = api.rows_per_s / best["raw"].rows_per_s
    ratio_nd = api.rows_per_s / best["ndjson"].rows_per_s
    median_raw = statistics.median(r.rows_per_s for r in outcome.api) / statistics.median(
        r.rows_per_s for r in outcome.raw
    )
    print(f"median ratio API / raw COPY (rows/s): {median_raw:.2f}")
    print(
        f"NDJSON COPY / raw COPY: {best['ndjson'].rows_per_s / best['raw'].rows_per_s:.2f}; "
        f"old NDJSON COPY / raw COPY: {best['old'].rows_per_s / best['raw'].rows_per_s:.2f}"
    )
    mem = outcome.memory
    print(
        f"memory ({where}): RSS {mem.before_kb * 1024 / MB:.1f} MB before the exports, peak "
        f"{mem.peak_kb * 1024 / MB:.1f} MB during them ({'VmHWM reset + ' if mem.hwm_reset else ''}"
        "RSS polled every 20 ms)"
    )
    print(machine())
    print()
    goal("API / raw COPY rows/s", ">= 0.70", f"{ratio_raw:.2f}", ratio_raw >= GOAL_RAW)
    goal("API / NDJSON COPY rows/s", ">= 0.90", f"{ratio_nd:.2f}", ratio_nd >= GOAL_NDJSON)
    first = min(r.first_byte for r in outcome.api)
    print(
        f"first byte of a one-candidate export (the cost before any row): "
        f"{outcome.fixed_first_byte * 1e3:.0f} ms"
    )
    goal(f"first byte at {n:,} rows", "< 500 ms", f"{first * 1e3:.0f} ms",
         first * 1e3 < GOAL_FIRST_BYTE_MS)  # fmt: skip
    goal("memory growth", f"< {GOAL_GROWTH_MB:.0f} MB", f"{mem.growth_mb:.1f} MB",
         mem.growth_mb < GOAL_GROWTH_MB)  # fmt: skip
    problems = []
    for run in outcome.api + ([outcome.gzip] if outcome.gzip else []):
        if (run.rows, run.first_id, run.last_id) != (n, first_id, last_id):
            problems.append(f"API gave {run.rows} rows ({run.first_id}..{run.last_id})")
    for run in outcome.raw + outcome.ndjson + outcome.old:
        if run.rows != n:
            problems.append(f"a COPY gave {run.rows} rows")
    print(
        f"check: {n} sessions expected, first id {first_id}, last id {last_id}: "
        + ("every run matched" if not problems else "MISMATCH: " + "; ".join(problems))
    )
    return {"ratio_raw": ratio_raw, "ratio_ndjson": ratio_nd, "first_byte": first}


# -- main --------------------------------------------------------------------------------------


def baselines_for(conn, org, max_seconds: float) -> dict[str, Callable[[], Run]]:
    statements = export_statements(org)
    raw = raw_copy_sql(org.pk)
    return {
        "raw": lambda: export_copy(conn, raw, max_seconds),
        "ndjson": lambda: export_copy(conn, *statements["ndjson"][:1], max_seconds,
                                      statements["ndjson"][1]),
        "old": lambda: export_copy(conn, statements["old"][0], max_seconds,
                                   statements["old"][1]),
    }  # fmt: skip


def serve(db_name: str, body: Callable[[httpx.Client, int], object]):
    """Start gunicorn on the bench database, run ``body(client, worker pid)``, stop it."""
    from django.db import connection

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
            with httpx.Client(base_url=base_url, trust_env=False, timeout=timeout) as client:
                return body(client, pid)
        except (BenchError, httpx.HTTPError) as exc:
            print(log_tail(log), file=sys.stderr)
            raise BenchError(str(exc) or type(exc).__name__) from exc
        finally:
            stop_server(proc)


def run_server(org, raw_key: str, db_name: str, args) -> Outcome:
    from apps.interviews.models import Candidate

    one_candidate = Candidate.objects.filter(organization=org).order_by("pk").first().pk
    with psycopg_connect(args.max_seconds) as conn:
        baselines = baselines_for(conn, org, args.max_seconds)

        def body(client, pid):
            return measure(
                export=lambda: export_http(client, raw_key, args.max_seconds),
                warm_up=lambda: export_http(
                    client, raw_key, args.max_seconds, {"candidate": one_candidate}
                ),
                baselines=baselines,
                pid=pid,
                rounds=args.rounds,
                gz=lambda: export_http(client, raw_key, args.max_seconds, gz=True),
            )

        return serve(db_name, body)


def run_in_process(org, raw_key: str, args) -> Outcome:
    from apps.interviews.models import Candidate

    one_candidate = Candidate.objects.filter(organization=org).order_by("pk").first().pk
    print("client: Django's test client in this process (no HTTP, no gunicorn)")
    # WhiteNoise warns that no collectstatic ran; the export serves no static file.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    with psycopg_connect(args.max_seconds) as conn:
        return measure(
            export=lambda: export_in_process(raw_key, args.max_seconds),
            warm_up=lambda: export_in_process(
                raw_key, args.max_seconds, {"candidate": one_candidate}
            ),
            baselines=baselines_for(conn, org, args.max_seconds),
            pid=os.getpid(),
            rounds=args.rounds,
            gz=lambda: export_in_process(raw_key, args.max_seconds, gz=True),
        )


def first_byte_at(org, template, raw_key: str, db_name: str, rows: int, have: int, args) -> None:
    """Top the data up to ``rows`` sessions, then: does the plan sort, and how soon does the
    API's first byte come (best of 3, each export read to its end)."""
    t0 = time.perf_counter()
    positions = list(template.position.__class__.objects.filter(organization=org))
    load_sessions(org, template, positions, have, rows)
    vacuum()
    print()
    print(f"setup: topped up to {rows:,} sessions in {time.perf_counter() - t0:.1f} s (SQL)")
    with psycopg_connect(args.max_seconds) as conn:
        sorts, plan = plan_sorts(conn, export_statements(org)["select"])
        raw = export_copy(conn, raw_copy_sql(org.pk), args.max_seconds)
        ndjson_sql, params = export_statements(org)["ndjson"]
        ndjson = export_copy(conn, ndjson_sql, args.max_seconds, params)
    print(f"plan of the export's query at {rows:,} rows (first lines):\n{plan}")
    from apps.interviews.models import Candidate

    one = {"candidate": Candidate.objects.filter(organization=org).order_by("pk").first().pk}

    def body(client, pid):
        fixed = [export_http(client, raw_key, args.max_seconds, one) for _ in range(4)]
        full = [export_http(client, raw_key, args.max_seconds) for _ in range(3)]
        return min(r.first_byte for r in fixed[1:]), full

    fixed, runs = serve(db_name, body)
    best = max(runs, key=lambda r: r.rows_per_s)
    print(f"raw COPY:    {describe(raw)}")
    print(f"NDJSON COPY: {describe(ndjson)}")
    print(f"API (best of 3): {describe(best)}")
    print(machine())
    goal(f"no Sort node in the plan at {rows:,} rows", "none", "Sort" if sorts else "none",
         not sorts)  # fmt: skip
    first = min(r.first_byte for r in runs)
    print(f"first byte of a one-candidate export (the cost before any row): {fixed * 1e3:.0f} ms")
    goal(f"first byte at {rows:,} rows", "< 500 ms", f"{first * 1e3:.0f} ms",
         first * 1e3 < GOAL_FIRST_BYTE_MS)  # fmt: skip
    ratio = best.rows_per_s / raw.rows_per_s
    goal(f"API / raw COPY rows/s at {rows:,} rows", ">= 0.70", f"{ratio:.2f}", ratio >= GOAL_RAW)
    goal(f"API / NDJSON COPY rows/s at {rows:,} rows", ">= 0.90",
         f"{best.rows_per_s / ndjson.rows_per_s:.2f}",
         best.rows_per_s / ndjson.rows_per_s >= GOAL_NDJSON)  # fmt: skip


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
    parser.add_argument("--rows", "--sessions", dest="rows", type=bounded(1, 5_000_000),
                        default=100_000)  # fmt: skip
    parser.add_argument("--first-byte-at", type=bounded(0, 5_000_000), default=1_000_000,
                        help="then top up to this many rows (0: skip)")  # fmt: skip
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
            "DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/ib_e_bench",
            file=sys.stderr,
        )
        return 2
    celery_app.conf.task_always_eager = True  # anything the scorecard submits enqueue

    # A name of its own, so the bench never clobbers the test suite's test database.
    base = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{base}_export_{os.getpid()}"
    t0 = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        db_name = connection.settings_dict["NAME"]
        print(f"setup: test database {db_name} migrated in {time.perf_counter() - t0:.1f} s")
        print(machine())
        t0 = time.perf_counter()
        org, raw_key, template = create_sessions(args.rows, args.candidates)
        expected = expected_rows(org)
        print(
            f"setup: {expected[0]:,} scored sessions, {args.candidates} candidates, "
            f"{len(POSITIONS)} positions in {time.perf_counter() - t0:.1f} s "
            "(INSERT ... SELECT generate_series, then VACUUM ANALYZE)"
        )
        try:
            if args.via == "server":
                outcome = run_server(org, raw_key, db_name, args)
            else:
                outcome = run_in_process(org, raw_key, args)
            report(outcome, expected, args.via)
            if args.first_byte_at > args.rows:
                first_byte_at(org, template, raw_key, db_name, args.first_byte_at, args.rows, args)
        except BenchError as exc:
            print(f"bench failed: {exc}", file=sys.stderr)
            return 1
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
