"""Reactions to the interviews app's domain events (see apps.interviews.events).

Webhook outbox rows and Greenhouse callbacks are written here, inside the transaction of the
change that caused them. Filled in by webhooks.py and greenhouse.py.
"""

from apps.interviews import events

from . import greenhouse, webhooks

events.subscribe(webhooks.on_event)
events.subscribe(greenhouse.on_event)
