"""Secrets at rest: Fernet with key rotation (apps/accounts/crypto.py)."""

import pytest

from apps.accounts import crypto


def test_round_trip_and_ciphertext_hides_the_value(settings):
    settings.FIELD_ENCRYPTION_KEY = [crypto.new_key()]
    token = crypto.encrypt("gh-key-1234")
    assert "gh-key-1234" not in token
    assert crypto.decrypt(token) == "gh-key-1234"


def test_without_a_key_one_is_derived_from_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEY = []
    token = crypto.encrypt("x")
    assert crypto.decrypt(token) == "x"
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token)


def test_rotation_newest_key_first_old_values_still_read_then_reencrypted(settings):
    old, new = crypto.new_key(), crypto.new_key()
    settings.FIELD_ENCRYPTION_KEY = [old]
    stored = crypto.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEY = [new, old]
    assert crypto.decrypt(stored) == "secret"
    rotated = crypto.reencrypt(stored)
    settings.FIELD_ENCRYPTION_KEY = [new]
    assert crypto.decrypt(rotated) == "secret"
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(stored)
