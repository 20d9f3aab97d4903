"""``manage.py rotate_field_key``: the Greenhouse key stored at its first Basic-auth call stays
readable across a FIELD_ENCRYPTION_KEY rotation (README, Configuration)."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts import crypto
from apps.ats.greenhouse.callback import _callback_key
from apps.ats.models import GreenhouseOrder, OrganizationAPIKey
from tests.factories import CandidateSessionFactory

pytestmark = pytest.mark.django_db


def rotate() -> str:
    out = StringIO()
    call_command("rotate_field_key", stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_rotation_re_encrypts_the_stored_greenhouse_key_with_the_newest_key(
    settings, greenhouse, org, org_key, other_key
):
    old, new = crypto.new_key(), crypto.new_key()
    settings.FIELD_ENCRYPTION_KEY = [old]
    assert greenhouse.get("/integrations/greenhouse/list_tests").status_code == 200
    key, raw = org_key
    key.refresh_from_db()
    before = key.secret_encrypted
    # A stored value no key can read (e.g. encrypted under a key dropped too early).
    settings.FIELD_ENCRYPTION_KEY = [crypto.new_key()]
    OrganizationAPIKey.objects.filter(pk=other_key[0].pk).update(
        secret_encrypted=crypto.encrypt("lost")
    )

    settings.FIELD_ENCRYPTION_KEY = [new, old]
    assert rotate() == "1 of 2 stored secrets re-encrypted; 1 unreadable."
    key.refresh_from_db()
    assert key.secret_encrypted != before
    settings.FIELD_ENCRYPTION_KEY = [new]  # the old key is dropped
    assert crypto.decrypt(key.secret_encrypted) == raw
    order = GreenhouseOrder(
        organization=org, api_key=key, session=CandidateSessionFactory(organization=org)
    )
    assert _callback_key(order) == raw


def test_a_key_that_no_longer_decrypts_is_stored_again_at_the_next_call(
    settings, greenhouse, org_key
):
    settings.FIELD_ENCRYPTION_KEY = [crypto.new_key()]
    greenhouse.get("/integrations/greenhouse/list_tests")
    settings.FIELD_ENCRYPTION_KEY = [crypto.new_key()]  # the key was lost, not rotated
    key, raw = org_key
    key.refresh_from_db()
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(key.secret_encrypted)
    greenhouse.get("/integrations/greenhouse/list_tests")
    key.refresh_from_db()
    assert crypto.decrypt(key.secret_encrypted) == raw
