"""The beat task that polls every active Bullhorn connection (settings.CELERY_BEAT_SCHEDULE,
``bullhorn-poll``): it only queues one ``bullhorn.poll`` outbox row per connection and poll
period, so the calls themselves go through the outbox (retries, Retry-After, one sender)."""

from celery import shared_task


@shared_task(ignore_result=True)
def bullhorn_poll_due() -> int:
    from .inbound import poll_enqueue_due

    return poll_enqueue_due()
