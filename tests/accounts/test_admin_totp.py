"""With ADMIN_REQUIRE_OTP the Django admin asks platform staff for a TOTP code as well."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def otp_required(settings):
    settings.ADMIN_REQUIRE_OTP = True


@pytest.fixture
def staff():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _admin_login(client, **extra):
    data = {"username": "root", "password": PASSWORD, **extra}
    return client.post(reverse("admin:login"), data)


def test_a_superuser_without_a_verified_device_gets_nothing(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_password_alone_does_not_open_the_admin(client, staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    _admin_login(client)
    assert client.get(reverse("admin:index")).status_code == 302
    _admin_login(client, otp_token="000000")
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_and_totp_code_open_the_admin(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = _admin_login(client, otp_device=device.persistent_id, otp_token=_code(device))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_command_adds_a_device_and_prints_its_uri(staff):
    out = io.StringIO()
    call_command("add_totp_device", "root", stdout=out)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert "otpauth://totp/" in out.getvalue() and "secret (base32):" in out.getvalue()


def test_the_command_refuses_people_who_are_not_platform_staff():
    UserFactory(username="olga", is_staff=True, is_superuser=False)
    with pytest.raises(CommandError, match="not platform staff"):
        call_command("add_totp_device", "olga", stdout=io.StringIO())
    assert not TOTPDevice.objects.exists()


def test_the_admin_login_page_asks_for_the_code(client):
    body = client.get(reverse("admin:login")).content.decode()
    assert 'name="otp_token"' in body
    assert "<script>" not in body  # nothing the Content-Security-Policy would block
