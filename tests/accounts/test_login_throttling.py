"""Login is throttled: after AXES_FAILURE_LIMIT wrong passwords the username is locked out, and
even the right password is refused with a clear message until the cool-off ends."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_passwords_lock_out_and_the_right_one_is_then_refused_clearly(client):
    UserFactory(username="rita")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "rita", "wrong-password")
        assert response.status_code == 200  # the form again, with its error
        assert b"did not match" in response.content
    locked = _login(client, "rita", "wrong-password")
    assert locked.status_code == 429

    response = _login(client, "rita", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Account locked" in body and "Too many failed log-in attempts" in body
    assert f"locked for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in body
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302  # still not logged in


def test_sixty_wrong_passwords_do_not_go_through(client):
    UserFactory(username="rita")
    codes = [_login(client, "rita", f"guess-{n}").status_code for n in range(60)]
    assert codes.count(200) == settings.AXES_FAILURE_LIMIT - 1
    assert set(codes[settings.AXES_FAILURE_LIMIT :]) == {429}


def test_lockout_is_per_username(client):
    UserFactory(username="rita")
    UserFactory(username="ivan")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "rita", "wrong-password")
    response = _login(client, "ivan", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_success_before_the_limit_resets_the_count(client):
    UserFactory(username="rita")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "rita", "wrong-password")
    assert _login(client, "rita", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "rita", "wrong-password").status_code == 200
    assert _login(client, "rita", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "root", "password": "nope"})
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_force_login_still_works_in_tests(client):
    user = UserFactory(username="rita")
    client.force_login(user)
    assert client.session["_auth_user_id"] == str(user.pk)
