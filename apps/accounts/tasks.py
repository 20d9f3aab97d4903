"""Celery tasks of accounts: thin, on beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(ignore_result=True)
def prune_form_submissions() -> int:
    """Daily: forget create forms' one-time keys older than ``once.KEEP``."""
    from .once import form_submissions_prune

    return form_submissions_prune()


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Daily: delete expired Django sessions (the take-home candidates' and staff's), so the
    session table does not grow forever. Django's own ``clearsessions`` does the work."""
    from django.core.management import call_command

    call_command("clearsessions")
