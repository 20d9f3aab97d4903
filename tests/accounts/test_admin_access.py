"""The Django admin is for platform staff only: organizations author in the product."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _admin_urls(question):
    return [
        reverse("admin:index"),
        reverse("admin:bank_question_changelist"),
        reverse("admin:bank_question_change", args=[question.pk]),
        reverse("admin:accounts_organization_changelist"),
    ]


def test_org_admin_with_staff_flag_gets_nothing_in_the_admin(client, org_admin):
    org_admin.is_staff = True
    org_admin.save()
    question = QuestionFactory(prompt="Northwind's own question")
    client.force_login(org_admin)
    for url in _admin_urls(question):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
    response = client.post(
        reverse("admin:bank_question_change", args=[question.pk]), {"prompt": "edited"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.prompt == "Northwind's own question"


def test_staff_non_superuser_logging_in_through_the_admin_still_gets_nothing(client):
    UserFactory(username="author", is_staff=True, is_superuser=False, password="s3cret-pass!")
    client.post(reverse("admin:login"), {"username": "author", "password": "s3cret-pass!"})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_platform_superuser_uses_the_admin(client):
    question = QuestionFactory()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in _admin_urls(question):
        assert client.get(url).status_code == 200, url


def test_demo_org_admins_are_not_superusers():
    call_command("load_demo", stdout=io.StringIO())
    User = get_user_model()
    members = User.objects.filter(memberships__isnull=False).distinct()
    assert members.exists()
    assert not members.filter(is_superuser=True).exists()
    assert not members.filter(is_staff=True).exists()
    # Platform staff is a separate login that belongs to no organization.
    staff = User.objects.filter(is_superuser=True)
    assert staff.count() == 1
    assert not staff.get().memberships.exists()
