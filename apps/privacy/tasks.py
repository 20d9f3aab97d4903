"""Celery tasks of privacy: thin, on beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(ignore_result=True)
def apply_retention() -> int:
    """Daily: list who is due under each organization's retention period and erase those
    listed at least ``retention.GRACE_DAYS`` ago. Returns how many were erased."""
    from .retention import apply_retention as run

    return sum(len(r.erased) for r in run())
