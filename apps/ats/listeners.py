"""Reactions to the interviews app's domain events (see apps.interviews.events).

Webhook outbox rows and Greenhouse callbacks (rows of the shared outbox, ``apps.outbox``) are
written here, inside the transaction of the change that caused them.
"""

from apps import outbox
from apps.interviews import events

from . import greenhouse, webhooks

events.subscribe(webhooks.on_event)
events.subscribe(greenhouse.on_event)
outbox.register(greenhouse.CALLBACK_KIND, greenhouse.callback_send)
