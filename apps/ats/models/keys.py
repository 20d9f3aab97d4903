from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from apps.accounts.models import Organization


class OrganizationAPIKey(AbstractAPIKey):
    """A machine client's key (an ATS), hashed at rest by djangorestframework-api-key.

    The key sees only its organization. ``allow_ratings`` lets it read per-criterion ratings in
    session results; by default an ATS sees recommendations and scores, not the ratings.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    allow_ratings = models.BooleanField(
        default=False, help_text="Include each interviewer's ratings in session results."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The key itself, encrypted (apps.accounts.crypto), kept from Greenhouse's first HTTP Basic
    # call: Greenhouse expects it back as the Basic-auth user of our PATCH to its callback URL.
    # Empty for keys only used with the Api-Key scheme. Re-encrypted by rotate_field_key.
    secret_encrypted = models.TextField(blank=True, editable=False)

    objects = BaseAPIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "organization API key"
        verbose_name_plural = "organization API keys"
