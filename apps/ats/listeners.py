"""Reactions to the interviews app's domain events (see apps.interviews.events).

Webhook outbox rows and Greenhouse callbacks (rows of the shared outbox, ``apps.outbox``) are
written here, inside the transaction of the change that caused them.
"""

from apps import outbox
from apps.interviews import events

from . import bullhorn, greenhouse, kombo, webhooks

events.subscribe(webhooks.on_event)
events.subscribe(greenhouse.on_event)
outbox.register(greenhouse.CALLBACK_KIND, greenhouse.callback_send)
events.subscribe(bullhorn.on_event)
for _kind, _handler in bullhorn.KINDS.items():
    outbox.register(_kind, _handler, secret_keys=bullhorn.SECRET_KEYS.get(_kind, ()))
events.subscribe(kombo.on_event)
outbox.register(kombo.ORDER_KIND, kombo.order_send)
outbox.register(kombo.PACKAGES_KIND, kombo.packages_send)
outbox.register(
    kombo.UNPUBLISH_KIND, kombo.packages_unpublish, secret_keys=(kombo.packages.UNPUBLISH_SECRET,)
)
outbox.register(kombo.RESULT_KIND, kombo.result_send)
outbox.register(kombo.SYNC_KIND, kombo.sync_send)
kombo.watch_plans()
