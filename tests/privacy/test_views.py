"""The data-rights pages: who may do what (another organization's rows and interviewers get a
404), the erasure's confirmation and refusals (400, nothing changed), the legal hold form, and
a constant number of queries per page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.interviews import services
from apps.interviews.models import Application, Candidate
from tests.factories import make_kit, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(org):
    return make_position(org, make_kit(2))


def add_candidate(position, n: int) -> Candidate:
    candidate = services.candidate_create(
        organization=position.organization, name=f"Dana Doe {n}", email=f"dana{n}@example.com"
    )
    services.application_for(candidate=candidate, position=position)
    return candidate


@pytest.fixture
def candidate(position):
    return add_candidate(position, 0)


def pages(candidate: Candidate) -> list[tuple[str, str]]:
    application = Application.objects.get(candidate=candidate)
    return [
        ("get", reverse("privacy:candidate", args=[candidate.pk])),
        ("post", reverse("privacy:export", args=[candidate.pk])),
        ("get", reverse("privacy:erase", args=[candidate.pk])),
        ("post", reverse("privacy:erase", args=[candidate.pk])),
        ("post", reverse("privacy:hold", args=[application.pk])),
    ]


def test_another_organization_gets_404_on_every_page(client, outsider, candidate):
    client.force_login(outsider)
    for method, url in pages(candidate):
        data = {"reason": "x", "confirm": "yes", "action": "set"} if method == "post" else None
        assert getattr(client, method)(url, data).status_code == 404, url
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None
    assert not Application.objects.get(candidate=candidate).legal_hold


def test_the_retention_page_lists_only_the_own_organization(client, outsider, candidate):
    Application.objects.filter(candidate=candidate).update(
        state="rejected", state_changed_at="2000-01-01T00:00:00Z"
    )
    client.force_login(outsider)
    response = client.get(reverse("privacy:retention"))
    assert response.status_code == 200
    assert b"Dana Doe" not in response.content


def test_an_interviewer_gets_404_everywhere(client, interviewer, candidate):
    client.force_login(interviewer)
    for method, url in [*pages(candidate), ("get", reverse("privacy:retention"))]:
        assert getattr(client, method)(url).status_code == 404, url


def test_a_recruiter_exports_but_does_not_erase_or_hold(client, recruiter, candidate):
    client.force_login(recruiter)
    page = client.get(reverse("privacy:candidate", args=[candidate.pk]))
    assert page.status_code == 200
    assert b"Only an organization admin can erase" in page.content
    assert client.post(reverse("privacy:export", args=[candidate.pk])).status_code == 200
    for method, url in [*pages(candidate)[2:], ("get", reverse("privacy:retention"))]:
        assert getattr(client, method)(url).status_code == 404, url


def test_erasure_asks_for_a_reason_and_the_tick_then_erases_once(client, org_admin, candidate):
    client.force_login(org_admin)
    url = reverse("privacy:erase", args=[candidate.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "Asked by e-mail"})
    assert response.status_code == 400
    assert b"Confirm: tick the box to go ahead." in response.content
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 400
    assert b"Say why the candidate&#x27;s data is erased." in response.content
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None

    response = client.post(url, {"reason": "Asked by e-mail", "confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("privacy:candidate", args=[candidate.pk])
    erased = Candidate.objects.get(pk=candidate.pk)
    assert erased.name == f"Erased candidate #{candidate.pk}"
    assert b"Erased. The candidate is now" in response.content
    entry = AuditEntry.objects.get(event="candidate.erased")
    assert entry.additional_data["applications"] == 1
    assert "Dana" not in str(entry.additional_data)

    again = client.post(url, {"reason": "again", "confirm": "yes"}, follow=True)
    assert b"already erased" in again.content
    assert AuditEntry.objects.filter(event="candidate.erased").count() == 1


def test_a_legal_hold_blocks_erasure_with_the_reason_shown(client, org_admin, candidate):
    client.force_login(org_admin)
    application = Application.objects.get(candidate=candidate)
    hold = reverse("privacy:hold", args=[application.pk])

    response = client.post(hold, {"action": "set", "reason": "  "})
    assert response.status_code == 400
    assert b"Say why the application is on hold" in response.content
    assert not Application.objects.get(pk=application.pk).legal_hold

    response = client.post(hold, {"action": "set", "reason": "Claim ET/2026/114"})
    assert response.status_code == 302
    held = Application.objects.get(pk=application.pk)
    assert held.legal_hold and held.legal_hold_by == org_admin
    assert held.legal_hold_reason == "Claim ET/2026/114"

    url = reverse("privacy:erase", args=[candidate.pk])
    page = client.get(url)
    assert f"Application #{application.pk}".encode() in page.content
    assert b"Claim ET/2026/114" in page.content
    response = client.post(url, {"reason": "Asked", "confirm": "yes"})
    assert response.status_code == 400
    assert b"Erasure refused" in response.content
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None

    client.post(hold, {"action": "clear"})
    assert not Application.objects.get(pk=application.pk).legal_hold
    client.post(url, {"reason": "Asked", "confirm": "yes"})
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None


def test_the_pages_show_the_hold_and_link_from_the_candidate(client, org_admin, candidate):
    client.force_login(org_admin)
    application = Application.objects.get(candidate=candidate)
    client.post(
        reverse("privacy:hold", args=[application.pk]), {"action": "set", "reason": "Claim 7"}
    )
    detail = client.get(reverse("interviews:candidate_detail", args=[candidate.pk]))
    assert b"Legal hold</strong> on application" in detail.content
    assert reverse("privacy:candidate", args=[candidate.pk]).encode() in detail.content
    org_page = client.get(reverse("organization"))
    assert reverse("privacy:retention").encode() in org_page.content


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize("page", ["candidate", "retention"])
def test_pages_cost_a_constant_number_of_queries(
    client, org_admin, position, django_assert_max_num_queries, page, n
):
    from django.utils import timezone

    client.force_login(org_admin)
    first = add_candidate(position, 0)
    # n rows: the first candidate's applications to n positions, and n candidates due.
    for i in range(1, n):
        other = make_position(position.organization, position.kit, title=f"Role {i}")
        services.application_for(candidate=first, position=other)
        add_candidate(position, i)
    Application.objects.update(state="rejected", state_changed_at="2000-01-01T00:00:00Z")
    if page == "candidate":
        url = reverse("privacy:candidate", args=[first.pk])
        held = Application.objects.filter(candidate=first).order_by("pk")[::2]
        Application.objects.filter(pk__in=[a.pk for a in held]).update(
            legal_hold=True, legal_hold_at=timezone.now(), legal_hold_by=org_admin,
            legal_hold_reason="Tribunal claim",
        )  # fmt: skip
    else:
        url = reverse("privacy:retention")
    client.get(url)  # warm the session and content types
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if page == "candidate":
        assert html.count("<header><a href=") == n  # one article per application
        assert html.count("<strong>On legal hold</strong>") == len(held)
        assert html.count(f"(set by {org_admin.get_full_name() or org_admin.username})") == len(
            held
        )
    else:
        assert html.count("<tr><td><a href=") == n  # one row per candidate due
        assert len(response.context["due"]) == n


def test_the_export_document_costs_a_constant_number_of_queries(position, candidate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.privacy import export

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export.candidate_document(Candidate.objects.get(pk=candidate.pk))
        return len(ctx.captured_queries)

    services.session_create(position=position, candidate=candidate)
    one = count()
    for n in range(5):
        other = make_position(position.organization, position.kit, title=f"Role {n}")
        services.session_create(position=other, candidate=candidate)
    assert count() == one
