import pytest
from django.test import RequestFactory

from apps.accounts.models import Role
from apps.accounts.tenancy import get_for_tenant_or_404, membership_for, tenant_filter
from apps.bank.models import Kit
from tests.factories import KitFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _request(user, org):
    request = RequestFactory().get("/")
    request.user = user
    request.organization = org
    return request


def test_tenant_filter_keeps_own_rows_only(org, other_org, interviewer):
    own, shipped = KitFactory(organization=org), KitFactory(organization=None)
    KitFactory(organization=other_org)
    request = _request(interviewer, org)
    assert list(tenant_filter(request, Kit)) == [own]
    assert set(tenant_filter(request, Kit, include_shared=True)) == {own, shipped}


def test_no_organization_sees_nothing(interviewer):
    KitFactory(organization=None)
    assert list(tenant_filter(_request(interviewer, None), Kit, include_shared=True)) == []


def test_foreign_row_is_404_not_403(org, other_org, interviewer):
    from django.http import Http404

    foreign = KitFactory(organization=other_org)
    with pytest.raises(Http404):
        get_for_tenant_or_404(_request(interviewer, org), Kit, pk=foreign.pk)


def test_membership_for_prefers_the_session_choice(org, other_org):
    first = MembershipFactory(organization=org, role=Role.ADMIN)
    second = MembershipFactory(organization=other_org, user=first.user, role=Role.RECRUITER)
    assert membership_for(first.user) == first
    assert membership_for(first.user, other_org.pk) == second


def test_login_page_renders_and_logs_in(client, interviewer):
    response = client.get("/accounts/login/")
    assert response.status_code == 200 and b"Log in" in response.content
    response = client.post("/accounts/login/", {"username": "ivan", "password": "pw-for-tests-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["membership"].organization.name == "Acme Talent"


def test_wrong_password_shows_error(client, interviewer):
    response = client.post("/accounts/login/", {"username": "ivan", "password": "nope"})
    assert b"did not match" in response.content
