"""The Celery task that sent the PATCH to Greenhouse before callbacks went through the outbox.

New callbacks are outbox rows (``greenhouse.CALLBACK_KIND``); nothing queues this task any
more. It stays, under the name of the module it lived in (``apps.ats.greenhouse_tasks``) and on
the ``webhooks`` queue, so that messages queued before the deploy still run (same PATCH, same
address rule, ``callback.greenhouse_callback``). Remove it one release later.
"""

from __future__ import annotations

from celery import shared_task

from .callback import CallbackFailed, CallbackRefused, greenhouse_callback

__all__ = ["CallbackFailed", "CallbackRefused", "greenhouse_notify"]


@shared_task(
    name="apps.ats.greenhouse_tasks.greenhouse_notify",
    bind=True,
    acks_late=True,
    autoretry_for=(CallbackFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def greenhouse_notify(self, order_id: int) -> int | None:
    """PATCH the order's callback URL; a non-2xx answer or a network error raises CallbackFailed
    and Celery retries with exponential backoff (30 s doubling, at most an hour apart, 8
    retries). Returns the HTTP status, or None when there is nothing to call."""
    return greenhouse_callback(order_id=order_id, attempt=self.request.retries + 1)
