"""The organization page: an admin's settings, and nobody else's."""

import pytest

from apps.accounts.models import Organization

pytestmark = pytest.mark.django_db


def test_an_admin_changes_the_settings(client, org, org_admin):
    client.force_login(org_admin)
    page = client.get("/accounts/organization/")
    assert page.status_code == 200 and "Acme Talent" in page.content.decode()
    response = client.post(
        "/accounts/organization/",
        {
            "calibration_aggregate_only": "on",
            "retention_months": "48",
            "privacy_contact": "privacy@acme.example",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.calibration_aggregate_only is True
    assert org.retention_months == 48
    assert org.privacy_contact == "privacy@acme.example"
    assert org.collects_self_reported_groups is False


def test_a_bad_value_is_a_400_naming_the_field_and_changes_nothing(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post("/accounts/organization/", {"retention_months": "7"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    org.refresh_from_db()
    assert org.retention_months == 24


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_other_roles_get_404(client, org, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/accounts/organization/").status_code == 404
    assert client.post("/accounts/organization/", {"retention_months": "6"}).status_code == 404
    org.refresh_from_db()
    assert org.retention_months == 24


def test_an_admin_of_another_organization_changes_only_their_own(client, org, other_org, outsider):
    client.force_login(outsider)
    client.post("/accounts/organization/", {"retention_months": "6"})
    assert Organization.objects.get(pk=org.pk).retention_months == 24
    assert Organization.objects.get(pk=other_org.pk).retention_months == 6


def test_the_page_costs_a_few_queries(client, org_admin, django_assert_max_num_queries):
    client.force_login(org_admin)
    with django_assert_max_num_queries(8):
        assert client.get("/accounts/organization/").status_code == 200
