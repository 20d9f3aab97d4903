"""Recompute stored results, e.g. after the scoring constants or version change: every scored
session's own stage result, then every application's pooled result (SCORING.md v2). A result
computed under an older scoring version keeps its version string until this runs."""

import sys
import time

from django.core.management.base import BaseCommand

from apps.interviews import services, tasks
from apps.interviews.models import Application, CandidateSession


class Command(BaseCommand):
    help = (
        "Rescore sessions, then applications, in chunks, with a progress bar; --queue hands "
        "chunks to Celery."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="only this organization's rows (slug)")
        parser.add_argument("--chunk-size", type=int, default=500)
        parser.add_argument("--queue", action="store_true", help="queue Celery tasks instead")
        parser.add_argument(
            "--applications-only", action="store_true", help="skip the sessions' stage results"
        )

    def handle(
        self, *args, organization=None, chunk_size=500, queue=False, applications_only=False,
        **options,
    ):  # fmt: skip
        sessions = CandidateSession.objects.exclude(result__isnull=True)
        applications = Application.objects.filter(sessions__scorecards__status="submitted")
        if organization:
            sessions = sessions.filter(organization__slug=organization)
            applications = applications.filter(organization__slug=organization)
        if not applications_only:
            self._run(
                "session",
                list(sessions.order_by("pk").values_list("pk", flat=True)),
                chunk_size,
                tasks.rescore_sessions if queue else None,
                lambda chunk: services.sessions_rescore(session_ids=chunk, chunk_size=chunk_size),
            )
        self._run(
            "application",
            list(applications.distinct().order_by("pk").values_list("pk", flat=True)),
            chunk_size,
            tasks.rescore_applications if queue else None,
            lambda chunk: services.applications_rescore(
                application_ids=chunk, chunk_size=chunk_size
            ),
        )

    def _run(self, noun, ids, chunk_size, task, rescore) -> None:
        total = len(ids)
        started = time.perf_counter()
        done = 0
        for start in range(0, total, chunk_size):
            chunk = ids[start : start + chunk_size]
            if task is not None:
                task.delay(chunk)
            else:
                rescore(chunk)
            done += len(chunk)
            self._progress(done, total)
        verb = "queued" if task is not None else "rescored"
        elapsed = time.perf_counter() - started
        self.stdout.write(f"\n{done} {noun}(s) {verb} in {elapsed:.2f} s")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        out = self.stdout if sys.stdout.isatty() else self.stderr
        out.write(f"\r[{bar}] {done}/{total}", ending="")
        out.flush()
