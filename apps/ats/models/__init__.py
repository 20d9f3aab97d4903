"""ATS integration models: API keys (keys.py), outgoing webhooks (webhooks.py) and the
Greenhouse assessment-partner link (greenhouse.py)."""

from .greenhouse import GreenhouseErrorReport, GreenhouseOrder
from .keys import OrganizationAPIKey
from .webhooks import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint

__all__ = [
    "GreenhouseErrorReport",
    "GreenhouseOrder",
    "OrganizationAPIKey",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
]
