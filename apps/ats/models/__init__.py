"""ATS integration models: API keys (keys.py), outgoing webhooks (webhooks.py) and the
Greenhouse assessment-partner link (greenhouse.py)."""

from .bullhorn import (
    BullhornApplication,
    BullhornCall,
    BullhornConnection,
    BullhornEvent,
    BullhornStatusMapping,
)
from .greenhouse import GreenhouseErrorReport, GreenhouseOrder
from .keys import OrganizationAPIKey
from .kombo import KomboConnection, KomboOrder
from .webhooks import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint

__all__ = [
    "BullhornApplication",
    "BullhornCall",
    "BullhornConnection",
    "BullhornEvent",
    "BullhornStatusMapping",
    "GreenhouseErrorReport",
    "GreenhouseOrder",
    "KomboConnection",
    "KomboOrder",
    "OrganizationAPIKey",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
]
