"""Celery tasks: thin interfaces that take ids and call services (idempotent, retry-safe)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def rescore_sessions(session_ids: list[int]) -> int:
    """Recompute the stored results of these sessions (after scoring constants change)."""
    return services.sessions_rescore(session_ids=session_ids)
