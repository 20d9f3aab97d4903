"""The beat's entry point for Kombo: thin, as every task (``sync.sync_enqueue`` decides)."""

from celery import shared_task


@shared_task(ignore_result=True)
def sync_orders() -> int:
    """Queue a ``kombo.sync`` outbox row per connection with open orders (see ``sync``)."""
    from . import sync

    return sync.sync_enqueue()
