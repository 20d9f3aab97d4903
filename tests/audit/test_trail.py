"""The audit trail: what django-auditlog records (actor, address, changes, organization), what it
never records (secrets, drafts, shipped content), and the admins-only pages that show it."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.ats.models import OrganizationAPIKey, WebhookEndpoint
from apps.audit.models import AuditEntry
from apps.bank.models import Kit, KitItem
from apps.interviews import services
from apps.interviews.models import Application, CandidateSession, Scorecard
from tests.factories import MembershipFactory, QuestionFactory, make_kit

pytestmark = pytest.mark.django_db

HISTORY = reverse("audit:history")


def decide(client, application, state="rejected", reason="Too junior for the line"):
    return client.post(
        reverse("interviews:application_decide", args=[application.pk]),
        {"state": state, "reason": reason},
        REMOTE_ADDR="203.0.113.9",
    )


def entries_of(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk)
    ).order_by("pk")


def test_an_edit_through_a_view_records_actor_address_changes_and_organization(
    client, org, org_admin, session
):
    client.force_login(org_admin)
    assert decide(client, session.application).status_code == 302

    update = entries_of(session.application).get(action=AuditEntry.Action.UPDATE)
    assert update.actor == org_admin
    assert update.actor_email == org_admin.email
    assert update.remote_addr == "203.0.113.9"
    assert update.organization == org
    assert update.changes["state"] == ["active", "rejected"]
    assert update.changes["state_reason"] == ["", "Too junior for the line"]
    assert update.scope == f"application:{session.application.pk}"
    decision = session.application.decisions.get()
    created = entries_of(decision).get()
    assert created.action == AuditEntry.Action.CREATE and created.organization == org
    # A decision shows in its application's history.
    assert created.scope == f"application:{session.application.pk}"


def test_a_forwarded_for_header_does_not_choose_the_recorded_address(client, org_admin, session):
    client.force_login(org_admin)
    client.post(
        reverse("interviews:application_decide", args=[session.application.pk]),
        {"state": "rejected", "reason": "x"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    entry = entries_of(session.application).get(action=AuditEntry.Action.UPDATE)
    assert entry.remote_addr == "198.51.100.7"


def test_every_entry_of_an_organizations_rows_carries_the_organization(org, session, recruiter):
    """Positions, stages, kits, items, questions, criteria, sessions, m2m, applications and
    memberships made for the fixtures are all filed under the organization."""
    kinds = set(
        AuditEntry.objects.filter(organization=org).values_list("content_type__model", flat=True)
    )
    assert {"position", "kit", "kititem", "candidatesession", "application", "membership"} <= kinds
    assert not AuditEntry.objects.filter(organization__isnull=True).exists()
    assignment = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(CandidateSession),
        changes__has_key="interviewers",
    )
    assert assignment.organization == org
    assert assignment.changes["interviewers"]["objects"] == ["ivan"]


def test_shipped_bank_content_is_not_logged(db):
    QuestionFactory()  # organization = NULL: shipped content
    make_kit(2)
    assert not AuditEntry.objects.exists()


def test_secrets_never_reach_the_log(org):
    endpoint = WebhookEndpoint.objects.create(
        organization=org, url="https://hooks.example.com/x", events=[], secret="whsec_TOPSECRET"
    )
    endpoint.previous_secret, endpoint.secret = endpoint.secret, "whsec_NEWSECRET"
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(days=1)
    endpoint.save()
    key, raw = OrganizationAPIKey.objects.create_key(organization=org, name="Greenhouse")
    key.secret_encrypted = "gAAAA-encrypted"
    key.save()
    logged = [
        str([e.object_pk, e.object_repr, e.changes, e.serialized_data])
        for e in AuditEntry.objects.all()
    ]
    text = " ".join(logged)
    for secret in ("TOPSECRET", "NEWSECRET", key.hashed_key, raw, "gAAAA-encrypted"):
        assert secret not in text
    api_entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(OrganizationAPIKey)
    )
    # The key is named by its prefix; the rotation is logged (the expiry), its secret is not.
    assert {e.object_pk for e in api_entries} == {key.prefix}
    rotation = entries_of(endpoint).get(action=AuditEntry.Action.UPDATE)
    assert set(rotation.changes) == {"previous_secret_expires_at"}


def test_drafts_are_not_logged_but_submission_and_corrections_are(org, org_admin, session):
    interviewer = session.interviewers.get()
    card = services.scorecard_for(session=session, interviewer=interviewer)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = 2
    data.recommendation, data.overall_notes = "no", "first draft"
    services.scorecard_save_draft(scorecard=card, data=data)
    data.overall_notes = "second draft"
    services.scorecard_save_draft(scorecard=card, data=data)
    assert list(entries_of(card).values_list("action", flat=True)) == [AuditEntry.Action.CREATE]

    services.scorecard_submit(scorecard=card)
    item = session.items.first()
    services.scorecard_correct(
        scorecard=Scorecard.objects.get(pk=card.pk),
        corrected_by=org_admin,
        reason="Typo in the room",
        ratings={(item.pk, item.criterion_keys[0]): 4},
    )
    submitted = entries_of(card).get(action=AuditEntry.Action.UPDATE)
    assert submitted.changes["status"] == ["draft", "submitted"]
    correction = card.corrections.get()
    logged = entries_of(correction).get()
    assert logged.changes["new_value"] == ["None", "4"]
    assert logged.changes["reason"] == ["None", "Typo in the room"]
    assert logged.organization == org and logged.scope == f"candidatesession:{session.pk}"


# Pages --------------------------------------------------------------------------------------


def test_admin_sees_the_organizations_history_and_never_another_organizations(
    client, org_admin, outsider, other_org, session
):
    other_kit = make_kit(1, organization=other_org)
    Kit.objects.filter(pk=other_kit.pk).update(name="Rival secret kit")
    other_kit.refresh_from_db()
    other_kit.description = "Rival changes"
    other_kit.save()
    client.force_login(org_admin)
    decide(client, session.application)
    response = client.get(HISTORY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zoë Lindqvist for MES Engineer (Contoso Foods)" in body
    assert "Too junior for the line" in body and "203.0.113.9" in body
    assert "Rival" not in body
    assert all(
        row.entry.organization_id == session.organization_id for row in response.context["rows"]
    )


@pytest.mark.parametrize("who", ["recruiter", "interviewer", "outsider"])
def test_other_roles_and_other_tenants_get_404(client, request, who, session):
    user = request.getfixturevalue(who)
    client.force_login(user)
    history = reverse("audit:object_history", args=["position", session.position.pk])
    assert client.get(history).status_code == 404
    if who != "outsider":
        assert client.get(HISTORY).status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(HISTORY)
    assert response.status_code == 302 and "login" in response["Location"]


def test_object_history_of_another_organizations_object_is_404(
    client, outsider, other_org, session
):
    """The outsider is an admin of their own organization: our position, kit and session
    answer 404 to them, as do unknown kinds and keys that are not keys."""
    client.force_login(outsider)
    for slug, pk in [
        ("position", session.position.pk),
        ("kit", session.position.kit.pk),
        ("candidatesession", session.pk),
        ("application", session.application.pk),
        ("candidate", session.candidate.pk),  # not a tracked kind
        ("position", "not-a-number"),
    ]:
        assert client.get(reverse("audit:object_history", args=[slug, pk])).status_code == 404


def test_object_history_shows_the_object_and_its_parts(client, org_admin, session, kit):
    client.force_login(org_admin)
    item = kit.items.first()
    item.weight = 2.5
    item.save()
    response = client.get(reverse("audit:object_history", args=["kit", kit.pk]))
    assert response.status_code == 200
    entries = {(r.entry.content_type.model, r.entry.action) for r in response.context["rows"]}
    assert ("kit", AuditEntry.Action.CREATE) in entries
    assert ("kititem", AuditEntry.Action.UPDATE) in entries
    assert "Weight: 1.0 → 2.5" in response.content.decode()


def test_a_deleted_objects_history_stays_readable(client, org_admin, org, kit):
    client.force_login(org_admin)
    item = kit.items.first()
    pk = item.pk
    item.delete()
    response = client.get(reverse("audit:object_history", args=["kititem", pk]))
    assert response.status_code == 200
    newest = response.context["rows"][0]
    assert newest.entry.action == AuditEntry.Action.DELETE


def test_filters_narrow_the_list(client, org, org_admin, recruiter, session):
    client.force_login(org_admin)
    decide(client, session.application)
    rows = lambda **q: client.get(HISTORY, q).context["rows"]  # noqa: E731

    only_apps = rows(kind="application")
    assert only_apps and {r.entry.content_type.model for r in only_apps} == {"application"}
    by_admin = rows(actor=org_admin.pk)
    assert by_admin and {r.entry.actor_id for r in by_admin} == {org_admin.pk}
    updates = rows(action=AuditEntry.Action.UPDATE)
    assert updates and {r.entry.action for r in updates} == {AuditEntry.Action.UPDATE}
    named = rows(object="contoso")
    assert named and all("Contoso" in r.entry.object_repr for r in named)
    today = timezone.localdate()
    assert len(rows(since=today.isoformat())) == len(rows())
    assert rows(until=(today - timedelta(days=1)).isoformat()) == []
    old = AuditEntry.objects.filter(organization=org).order_by("pk").first()
    AuditEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=40))
    week_ago = (today - timedelta(days=7)).isoformat()
    assert [r.entry.pk for r in rows(until=week_ago)] == [old.pk]


def test_events_filter_and_detail(client, org, org_admin, session):
    from apps.audit import events

    events.record(
        organization=org,
        actor=org_admin,
        action="candidate.exported",
        target=session.candidate,
        detail={"files": 2},
    )
    client.force_login(org_admin)
    response = client.get(HISTORY, {"kind": "event"})
    [row] = response.context["rows"]
    assert row.verb == "candidate.exported" and row.detail == [("files", "2")]
    assert "candidate.exported" in response.content.decode()


@pytest.mark.parametrize(
    "query, field",
    [
        ({"kind": "candidate"}, "kind"),  # not a tracked kind
        ({"actor": "999999"}, "actor"),  # not a member
        ({"action": "7"}, "action"),
        ({"since": "2026-13-45"}, "since"),
        ({"object": "x" * 201}, "object"),
    ],
)
def test_bad_filter_input_is_a_400_naming_the_field(client, org_admin, session, query, field):
    client.force_login(org_admin)
    response = client.get(HISTORY, query)
    assert response.status_code == 400
    assert field in response.context["filter"].errors
    assert response.context["rows"] == []


def test_another_organizations_member_is_not_an_actor_choice(client, org_admin, outsider, session):
    client.force_login(org_admin)
    response = client.get(HISTORY, {"actor": outsider.pk})
    assert response.status_code == 400


def _many_entries(org, user, n):
    ct = ContentType.objects.get_for_model(Application)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization=org,
            content_type=ct,
            object_pk=str(1000 + i),
            object_id=1000 + i,
            object_repr=f"Application {i}",
            action=AuditEntry.Action.UPDATE,
            changes={"state_changed_by": ["None", str(user.pk)], "state": ["active", "offer"]},
            actor=user,
            scope=f"application:{1000 + i}",
        )
        for i in range(n)
    )


def rendered_rows(response) -> int:
    return response.content.decode().count("<td><time datetime=")


@pytest.mark.parametrize("n", [1, 50])
def test_history_page_costs_constant_queries(
    client, org, org_admin, n, django_assert_max_num_queries
):
    AuditEntry.objects.all().delete()
    _many_entries(org, org_admin, n)
    client.force_login(org_admin)
    # 7 measured: session, user, membership, the actor choices, count, page, people named.
    with django_assert_max_num_queries(8):
        response = client.get(HISTORY, {"kind": "application"})
    assert len(response.context["rows"]) == n
    assert rendered_rows(response) == n
    page = response.content.decode()
    assert page.count("olga-admin") >= n  # every row names who changed the state


@pytest.mark.parametrize("n", [1, 50])
def test_object_history_costs_constant_queries(
    client, org, org_admin, kit, n, django_assert_max_num_queries
):
    AuditEntry.objects.all().delete()  # the kit's and its items' creation
    for i in range(n):
        KitItem.objects.filter(kit=kit).first().save()  # no change: no entry
        kit.description = f"take {i}"
        kit.save()
    client.force_login(org_admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:object_history", args=["kit", kit.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    assert rendered_rows(response) == n


def test_history_links_for_admins_only(client, org_admin, recruiter, session, kit, org):
    question = QuestionFactory(organization=org)
    pages = {
        reverse("interviews:position_detail", args=[session.position.pk]): reverse(
            "audit:object_history", args=["position", session.position.pk]
        ),
        reverse("bank:kit_detail", args=[kit.key]): reverse(
            "audit:object_history", args=["kit", kit.pk]
        ),
        reverse("bank:question_detail", args=[question.key]): reverse(
            "audit:object_history", args=["question", question.pk]
        ),
        reverse("interviews:session_detail", args=[session.pk]): reverse(
            "audit:object_history", args=["candidatesession", session.pk]
        ),
        reverse("interviews:application_detail", args=[session.application.pk]): reverse(
            "audit:object_history", args=["application", session.application.pk]
        ),
    }
    client.force_login(org_admin)
    for page, link in pages.items():
        assert link in client.get(page).content.decode(), page
        assert client.get(link).status_code == 200, link
    client.force_login(recruiter)
    for page, link in pages.items():
        assert link not in client.get(page).content.decode(), page


def test_organization_page_links_the_audit_trail(client, org_admin):
    client.force_login(org_admin)
    assert HISTORY in client.get(reverse("organization")).content.decode()


def test_the_platform_admin_cannot_edit_entries(admin_client, org, session):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditEntry]
    request = type("R", (), {"resolver_match": None, "user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    response = admin_client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 200


def test_membership_changes_are_logged(org, org_admin):
    membership = MembershipFactory(organization=org, role=Role.INTERVIEWER)
    membership.role = Role.RECRUITER
    membership.save()
    update = entries_of(membership).get(action=AuditEntry.Action.UPDATE)
    assert update.changes == {"role": ["interviewer", "recruiter"]}
    assert update.organization == org


def test_org_questions_are_logged(org):
    question = QuestionFactory(organization=org)
    assert entries_of(question).get().organization == org


def test_clearing_interviewers_names_only_the_organizations_people(org, session, outsider):
    session.interviewers.clear()
    entry = AuditEntry.objects.filter(changes__has_key="interviewers").order_by("-pk").first()
    assert entry.changes["interviewers"]["operation"] == "delete"
    assert "ivan" in entry.changes["interviewers"]["objects"]
    assert "oscar-outsider" not in entry.changes["interviewers"]["objects"]
    assert entry.organization == org


def test_deleting_an_organization_takes_its_history_with_it(other_org, outsider, org, org_admin):
    make_kit(1, organization=other_org)
    assert AuditEntry.objects.filter(organization=other_org).exists()
    other_org.delete()  # its memberships and kits cascade: nothing is logged for them
    assert not AuditEntry.objects.filter(organization_id=other_org.pk).exists()
    assert AuditEntry.objects.filter(organization=org).exists()
