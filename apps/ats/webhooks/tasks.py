"""Celery tasks for outgoing webhooks: thin, id-taking and idempotent (acks_late).

``deliver_webhook`` is queued on commit by ``webhooks.on_event`` and by "retry now";
``sweep_webhooks`` runs on beat (every 30 s) and queues every pending row that is due: scheduled
retries, rows whose task never reached the broker, and rows whose worker died mid-request.
Running a task twice is harmless: only one claim of a due row succeeds.

Both run on the ``webhooks`` queue (``CELERY_TASK_ROUTES``), served by a worker of its own, so
a slow receiver never holds up e-mails. The task names are the ones of the module these tasks
lived in before (``apps.ats.webhook_tasks``): messages queued before a deploy still run.

The services are imported inside the tasks because the ``webhooks`` package imports this module
(so the worker registers these tasks when the app loads).
"""

from celery import shared_task

# Retries due within this many seconds are queued with a countdown; later ones wait for the
# sweep, since a long countdown on Redis can outlive the broker's visibility timeout.
COUNTDOWN_LIMIT_SECONDS = 60
# Arrive just after the row is due, not just before (a task that comes early does nothing).
COUNTDOWN_SLACK_SECONDS = 0.5
# One attempt is one request with short timeouts (addresses.CONNECT/READ_TIMEOUT_SECONDS); a
# receiver that trickles its answer is cut off here, well inside the claim's lease.
TIME_LIMIT_SECONDS = 45


@shared_task(
    name="apps.ats.webhook_tasks.deliver_webhook",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=TIME_LIMIT_SECONDS - 5,
    time_limit=TIME_LIMIT_SECONDS,
)
def deliver_webhook(delivery_id: int) -> str | None:
    """Attempt one delivery if it is due; returns its status afterwards (None: nothing done)."""
    from apps.ats import webhooks

    outcome = webhooks.delivery_attempt(delivery_id=delivery_id)
    if outcome is None:
        return None
    if outcome.retry_in is not None and outcome.retry_in <= COUNTDOWN_LIMIT_SECONDS:
        deliver_webhook.apply_async(
            (delivery_id,), countdown=outcome.retry_in + COUNTDOWN_SLACK_SECONDS
        )
    return outcome.status


@shared_task(name="apps.ats.webhook_tasks.sweep_webhooks", acks_late=True, ignore_result=True)
def sweep_webhooks() -> int:
    """Queue ``deliver_webhook`` for every due pending delivery; returns how many."""
    from apps.ats import webhooks

    due = webhooks.deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)
