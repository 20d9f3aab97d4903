"""Recompute stored session results, e.g. after the scoring constants or version change."""

import sys
import time

from django.core.management.base import BaseCommand

from apps.interviews import services, tasks
from apps.interviews.models import CandidateSession


class Command(BaseCommand):
    help = "Rescore sessions in chunks, with a progress bar; --queue hands chunks to Celery."

    def add_arguments(self, parser):
        parser.add_argument("--organization", help="only this organization's sessions (slug)")
        parser.add_argument("--chunk-size", type=int, default=500)
        parser.add_argument("--queue", action="store_true", help="queue Celery tasks instead")

    def handle(self, *args, organization=None, chunk_size=500, queue=False, **options):
        qs = CandidateSession.objects.exclude(result__isnull=True)
        if organization:
            qs = qs.filter(organization__slug=organization)
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        total = len(ids)
        started = time.perf_counter()
        done = 0
        for start in range(0, total, chunk_size):
            chunk = ids[start : start + chunk_size]
            if queue:
                tasks.rescore_sessions.delay(chunk)
            else:
                services.sessions_rescore(session_ids=chunk, chunk_size=chunk_size)
            done += len(chunk)
            self._progress(done, total)
        verb = "queued" if queue else "rescored"
        elapsed = time.perf_counter() - started
        self.stdout.write(f"\n{done} session(s) {verb} in {elapsed:.2f} s")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        out = self.stdout if sys.stdout.isatty() else self.stderr
        out.write(f"\r[{bar}] {done}/{total}", ending="")
        out.flush()
