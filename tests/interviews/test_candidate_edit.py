"""Correcting a candidate's name, e-mail or phone: the recruiter's edit page and the one
service behind it (``candidate_update_contact``, which Bullhorn's corrections use too)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.interviews import services
from apps.interviews.models import Candidate

pytestmark = pytest.mark.django_db


def _url(candidate) -> str:
    return reverse("interviews:candidate_edit", args=[candidate.pk])


def test_a_recruiter_corrects_a_candidate_and_it_is_audited_without_the_values(
    client, recruiter, candidate
):
    client.force_login(recruiter)
    detail = client.get(reverse("interviews:candidate_detail", args=[candidate.pk]))
    assert _url(candidate) in detail.content.decode()
    page = client.get(_url(candidate))
    assert page.status_code == 200 and 'value="Priya N"' in page.content.decode()

    data = {"name": "Priya Natarajan", "email": "priya.n@example.com", "phone": "+44 20 7946 0000"}
    response = client.post(_url(candidate), data)

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email, candidate.phone) == tuple(data.values())
    assert candidate.email_normalized == "priya.n@example.com"
    entry = AuditEntry.objects.get(event="candidate.contact_updated")
    assert (entry.actor, entry.object_id) == (recruiter, candidate.pk)
    assert entry.additional_data == {"fields": ["name", "email", "phone"]}
    # Saving the same again changes nothing and records nothing.
    client.post(_url(candidate), data)
    assert AuditEntry.objects.filter(event="candidate.contact_updated").count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": "", "email": "p@example.com"}, "name", "This field is required."),
        ({"name": "P", "email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"name": "P", "email": "ADA@example.com"}, "email", "already belongs to another"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(
    client, org, recruiter, candidate, data, field, message
):
    services.candidate_create(organization=org, name="Ada", email="ada@example.com")
    client.force_login(recruiter)
    response = client.post(_url(candidate), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    again = Candidate.objects.get(pk=candidate.pk)
    assert (again.name, again.email) == ("Priya N", "Priya@Example.com")
    assert not AuditEntry.objects.filter(event="candidate.contact_updated").exists()


@pytest.mark.parametrize("who", ["interviewer", "outsider"])
def test_interviewers_and_other_tenants_get_a_404(client, request, who, candidate):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url(candidate)).status_code == 404
    assert client.post(_url(candidate), {"name": "X", "email": "x@example.com"}).status_code == 404
    assert Candidate.objects.get(pk=candidate.pk).name == "Priya N"


def test_an_erased_candidate_cannot_be_given_data_again(client, recruiter, candidate):
    from apps.privacy.services import erase_candidate

    erase_candidate(candidate=candidate, actor=None, reason="asked")
    client.force_login(recruiter)
    assert client.get(_url(candidate)).status_code == 404
    assert client.post(_url(candidate), {"name": "P", "email": "p@example.com"}).status_code == 404
    with pytest.raises(ValidationError, match="erased"):
        services.candidate_update_contact(candidate=candidate, name="Priya")
