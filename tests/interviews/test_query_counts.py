"""Query counts of the pages and lists that had none (issue 13): each page costs the same
number of queries with 1 row as with 50, so a long list never turns into one query per row."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Role
from apps.ats.models import OrganizationAPIKey
from apps.interviews import services
from tests.factories import KitFactory, MembershipFactory, make_kit, make_position

from .conftest import rate_all

pytestmark = pytest.mark.django_db
_serial = itertools.count()


def queries(client, url: str) -> int:
    client.get(url)  # warm: sessions, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _candidate(org):
    k = next(_serial)
    return services.candidate_create(organization=org, name=f"C {k}", email=f"q{k}@example.com")


def _same_at_1_and_50(client, url: str, add_row, *, django_assert_max_num_queries) -> None:
    add_row()
    one = queries(client, url)
    for _ in range(49):
        add_row()
    fifty = queries(client, url)
    assert fifty == one, f"{url}: {one} queries at 1 row, {fifty} at 50"
    with django_assert_max_num_queries(one):
        client.get(url)


def test_position_list(client, org, recruiter, django_assert_max_num_queries):
    kit = make_kit(2)
    client.force_login(recruiter)
    _same_at_1_and_50(
        client,
        reverse("interviews:position_list"),
        lambda: make_position(org, kit, title=f"Role {next(_serial)}"),
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


def test_candidate_list(client, org, recruiter, django_assert_max_num_queries):
    client.force_login(recruiter)
    _same_at_1_and_50(
        client,
        reverse("interviews:candidate_list"),
        lambda: _candidate(org),
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


def test_candidate_detail_with_its_sessions(
    client, org, recruiter, interviewer, django_assert_max_num_queries
):
    candidate = _candidate(org)
    kit = make_kit(2)
    client.force_login(recruiter)

    def add_session():
        position = make_position(org, kit, title=f"Role {next(_serial)}")
        services.session_create(position=position, candidate=candidate, interviewers=[interviewer])

    _same_at_1_and_50(
        client,
        reverse("interviews:candidate_detail", args=[candidate.pk]),
        add_session,
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


def test_session_detail_with_its_panel(client, org, recruiter, django_assert_max_num_queries):
    position = make_position(org, make_kit(3))
    session = services.session_create(position=position, candidate=_candidate(org))
    client.force_login(recruiter)

    def add_interviewer():
        user = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
        session.interviewers.add(user)

    _same_at_1_and_50(
        client,
        reverse("interviews:session_detail", args=[session.pk]),
        add_interviewer,
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


@pytest.mark.parametrize("page", ["session_detail", "report", "scorecard_correct"])
def test_session_pages_cost_the_same_with_1_and_50_questions(
    client, org, recruiter, org_admin, interviewer, page
):
    counts = []
    for n in (1, 50):
        position = make_position(org, make_kit(n), title=f"Role {n}")
        session = services.session_create(
            position=position, candidate=_candidate(org), interviewers=[interviewer]
        )
        card = rate_all(session, interviewer, 3)
        if page == "scorecard_correct":
            client.force_login(org_admin)
            url = reverse("interviews:scorecard_correct", args=[session.pk, card.pk])
        else:
            client.force_login(recruiter)
            url = reverse(f"interviews:{page}", args=[session.pk])
        counts.append(queries(client, url))
    assert counts[0] == counts[1], counts


def test_invitation_form_with_many_candidates(
    client, org, recruiter, django_assert_max_num_queries
):
    position = make_position(org, make_kit(2), written=True)
    client.force_login(recruiter)
    _same_at_1_and_50(
        client,
        reverse("interviews:invitation_create", args=[position.pk]),
        lambda: _candidate(org),
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


def test_api_key_list(client, org, org_admin, django_assert_max_num_queries):
    client.force_login(org_admin)
    _same_at_1_and_50(
        client,
        reverse("api_keys"),
        lambda: OrganizationAPIKey.objects.create_key(organization=org, name=f"K{next(_serial)}"),
        django_assert_max_num_queries=django_assert_max_num_queries,
    )


def test_kit_list(client, org, interviewer, django_assert_max_num_queries):
    client.force_login(interviewer)
    _same_at_1_and_50(
        client,
        reverse("bank:kit_list"),
        lambda: KitFactory(organization=org),
        django_assert_max_num_queries=django_assert_max_num_queries,
    )
