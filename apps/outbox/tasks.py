"""Celery tasks of the outbox: thin, id-taking and idempotent (a claim decides who sends).

``send_message`` is queued on commit by ``enqueue``; ``sweep_outbox`` runs on beat (every 30 s,
settings.CELERY_BEAT_SCHEDULE) and queues every due row: scheduled retries, rows whose task
never reached the broker (it was down), and rows whose worker died mid-send.
"""

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def send_message(message_id: int) -> str | None:
    """Send one outbox row if it is due; its status afterwards (None: nothing done)."""
    from . import services

    return services.message_send(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Queue ``send_message`` for every due row; returns how many."""
    from . import services

    due = services.messages_due()
    for message_id in due:
        send_message.delay(message_id)
    return len(due)
