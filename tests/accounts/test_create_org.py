"""`manage.py create_org`: an organization, its first admin, and a one-time login link."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.accounts.models import Membership, Organization, Role

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-Unguessable-passphrase-42"


def _create(*args) -> str:
    out = io.StringIO()
    call_command("create_org", *args, stdout=out)
    return out.getvalue()


def _path(output: str) -> str:
    (url,) = re.findall(r"https?://\S+/accounts/set-password/\S+/", output)
    return urlsplit(url).path


def test_creates_the_organization_and_its_admin_without_a_password():
    output = _create("Northwind Talent", "--admin-email", "ada@northwind.example")
    org = Organization.objects.get(slug="northwind-talent")
    assert org.name == "Northwind Talent"
    member = Membership.objects.get(organization=org)
    assert member.role == Role.ADMIN
    user = member.user
    assert user.email == "ada@northwind.example"
    assert not user.has_usable_password()
    assert not user.is_staff and not user.is_superuser
    assert "one-time link" in output


def test_the_link_sets_a_password_once_and_then_the_admin_logs_in(client):
    path = _path(_create("Northwind Talent", "--admin-email", "ada@northwind.example"))
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and b"Set password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_set_done")

    login = client.post(
        reverse("login"), {"username": "ada@northwind.example", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    client.logout()

    again = client.get(path, follow=True)
    assert b"does not work any more" in again.content


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme", "--admin-email", "not-an-email"], "Not an e-mail address"),
        (["   ", "--admin-email", "a@example.com"], "needs a name"),
        (["!!!", "--admin-email", "a@example.com"], "Give --slug"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        _create(*args)
    assert not Organization.objects.exists()
    assert not get_user_model().objects.exists()


def test_an_existing_slug_or_user_is_refused():
    _create("Acme", "--admin-email", "a@example.com")
    with pytest.raises(CommandError, match="exists already"):
        _create("Acme", "--admin-email", "b@example.com")
    with pytest.raises(CommandError, match="exists already"):
        _create("Other", "--admin-email", "a@example.com")
    assert Organization.objects.count() == 1
