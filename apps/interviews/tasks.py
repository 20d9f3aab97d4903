"""Celery tasks: thin interfaces that take ids, load rows and call services. Idempotent and
safe to retry (acks_late); queued with ``transaction.on_commit`` by the services.

E-mails are not sent from here: they go through the outbox (``apps.outbox``), composed in
``services/notifications.py``."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def rescore_sessions(session_ids: list[int]) -> int:
    """Recompute the stored results of these sessions (after scoring constants change)."""
    return services.sessions_rescore(session_ids=session_ids)


@shared_task(acks_late=True)
def rescore_applications(application_ids: list[int]) -> int:
    """Recompute the stored pooled results of these applications."""
    return services.applications_rescore(application_ids=application_ids)
