"""Kombo's assessment API end to end against a fake Kombo (tests/ats/fakes/kombo.py, a real
HTTP server checking every body against Kombo's documented schema): the connection stored
encrypted, packages published once for many plan edits, signed orders carried out exactly once,
results PUT when submitted and when scored, cancellations, tenant walls and query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts import crypto
from apps.ats.kombo import ORDER_KIND, PACKAGES_KIND, RESULT_KIND, UNPUBLISH_KIND
from apps.ats.kombo.packages import package_id
from apps.ats.kombo.services import connection_save, expected_signature
from apps.ats.models import KomboConnection, KomboOrder
from apps.audit.models import AuditEntry
from apps.interviews.models import Application, Candidate, Invitation, PositionStage
from apps.outbox import services as outbox_services
from apps.outbox.models import OutboxMessage
from tests.factories import make_kit

from .fakes.kombo import FakeKombo, order_event, post_signed
from .test_greenhouse import complete, make_position, score

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
KEY, SECRET, INTEGRATION = "kombo-key-acme", "kombo-whsec-acme", "workday:AcmeTalent0001"
OTHER_KEY, OTHER_SECRET, OTHER_INTEGRATION = "kombo-key-rival", "kombo-whsec-rival", "icims:rival"


@pytest.fixture
def fake(settings):
    server = FakeKombo().start()
    server.account(KEY, INTEGRATION)
    server.account(OTHER_KEY, OTHER_INTEGRATION)
    settings.KOMBO_API_URL = server.url
    settings.KOMBO_ATTACH_PDF = False  # one test below renders the PDF
    yield server
    server.stop()


def send_rows(kind: str) -> list[str | None]:
    """Send every pending row of ``kind`` now (as the worker would once due)."""
    rows = list(OutboxMessage.objects.filter(kind=kind, status=Status.PENDING).order_by("pk"))
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(next_attempt_at=timezone.now())
    return [outbox_services.message_send(message_id=r.pk) for r in rows]


@pytest.fixture
def connection(org, org_admin, fake):
    conn = connection_save(
        organization=org,
        integration_id=INTEGRATION,
        region="eu",
        api_key=KEY,
        webhook_secret=SECRET,
        user=org_admin,
    )
    send_rows(PACKAGES_KIND)
    return conn


@pytest.fixture
def stage(org, recruiter):
    position = make_position(org, recruiter)
    return PositionStage.objects.create(
        position=position, order=1, name="Take-home", mode="take_home", kit=position.kit
    )


def webhook_path(conn: KomboConnection) -> str:
    return reverse("kombo:webhook", args=[conn.webhook_token])


def order_in(client, conn, stage, *, secret=SECRET, **kwargs):
    kwargs.setdefault("integration_id", conn.integration_id)
    return post_signed(
        client, webhook_path(conn), order_event(package_id=package_id(stage), **kwargs), secret
    )


def carried_out(client, conn, stage, **kwargs) -> KomboOrder:
    response = order_in(client, conn, stage, **kwargs)
    assert response.status_code == 200, response.content
    send_rows(ORDER_KIND)
    return KomboOrder.objects.get(kombo_order_id=kwargs.get("order_id", "B5KQKhAgTv6ZwzrfAbqbhipd"))


# -- connection -------------------------------------------------------------------------------


def test_connecting_stores_the_key_and_secret_encrypted_and_never_shows_them(
    client, org, org_admin, fake
):
    client.force_login(org_admin)
    url = reverse("kombo:settings")
    response = client.post(
        url,
        {
            "integration_id": INTEGRATION,
            "region": "eu",
            "api_key": KEY,
            "webhook_secret": SECRET,
            "form_key": "k" * 20,
        },
    )
    assert response.status_code == 302
    conn = KomboConnection.objects.get(organization=org)
    assert KEY not in conn.api_key_encrypted and SECRET not in conn.webhook_secret_encrypted
    assert crypto.decrypt(conn.api_key_encrypted) == KEY
    assert crypto.decrypt(conn.webhook_secret_encrypted) == SECRET
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert KEY not in body and SECRET not in body
    assert f"/integrations/kombo/webhook/{conn.webhook_token}" in body
    # Saving again with blank key and secret keeps both.
    client.post(url, {"integration_id": INTEGRATION, "region": "us", "form_key": "m" * 20})
    conn.refresh_from_db()
    assert conn.region == "us" and crypto.decrypt(conn.api_key_encrypted) == KEY
    # Each save is an audit event by the admin: what changed, which secrets were replaced.
    saves = AuditEntry.objects.filter(event="kombo.connection_saved", organization=org)
    first, second = saves.order_by("pk")
    assert first.actor == second.actor == org_admin
    assert first.additional_data == {
        "created": True,
        "changed": {},
        "secrets_replaced": ["api_key", "webhook_secret"],
    }
    assert second.additional_data == {
        "created": False,
        "changed": {"region": ["eu", "us"]},
        "secrets_replaced": [],
    }
    assert KEY not in str(list(saves.values_list("additional_data", flat=True)))


def test_a_first_connection_needs_the_key_and_secret(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("kombo:settings"), {"integration_id": "x:1", "region": "eu"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not KomboConnection.objects.exists()


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_org_admins_reach_the_kombo_pages(client, request, who, connection):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("kombo:settings")).status_code == 404
    assert client.post(reverse("kombo:publish")).status_code == 404


def test_another_organizations_admin_sees_none_of_our_connection_or_orders(
    client, outsider, connection, stage
):
    carried_out(client, connection, stage)
    client.force_login(outsider)
    page = client.get(reverse("kombo:settings"))
    body = page.content.decode()
    assert page.status_code == 200
    assert INTEGRATION not in body and connection.webhook_token not in body
    assert "B5KQKhAgTv6ZwzrfAbqbhipd" not in body and "john.doe" not in body
    assert client.post(reverse("kombo:publish")).status_code == 404


def test_disconnecting_asks_then_deletes_the_key_and_stops_every_call(
    client, org, org_admin, connection, stage, fake
):
    from apps.ats.kombo import SYNC_KIND
    from apps.ats.kombo.tasks import sync_orders

    order = carried_out(client, connection, stage)
    client.force_login(org_admin)
    url = reverse("kombo:disconnect")
    assert url in client.get(reverse("kombo:settings")).content.decode()
    asked = client.get(url)
    assert asked.status_code == 200 and "Disconnect Kombo?" in asked.content.decode()
    assert client.post(url).status_code == 400  # not confirmed: nothing changes
    assert KomboConnection.objects.get(organization=org).has_credentials

    assert client.post(url, {"confirm": "yes"}).status_code == 302

    conn = KomboConnection.objects.get(organization=org)
    assert (conn.api_key_encrypted, conn.webhook_secret_encrypted) == ("", "")
    assert AuditEntry.objects.get(event="kombo.disconnected").actor == org_admin
    page = client.get(reverse("kombo:settings")).content.decode()
    assert "Kombo is disconnected." in page and f"Disconnected by {org_admin.email}" in page
    assert url not in page and reverse("kombo:publish") not in page
    assert client.get(url).status_code == 404
    assert client.post(reverse("kombo:publish")).status_code == 404
    # The webhook URL is a 404, even correctly signed with the old secret; nothing is stored.
    assert order_in(client, conn, stage, order_id="after").status_code == 404
    assert not KomboOrder.objects.filter(kombo_order_id="after").exists()
    # One last call, with the key the outbox row carried: the packages leave the client's ATS,
    # so nobody orders a take-home that would go nowhere. Then the row forgets the key.
    assert send_rows(UNPUBLISH_KIND) == [Status.SENT]
    last = fake.packages()[-1]
    assert last.body == {"packages": []} and last.headers["authorization"] == f"Bearer {KEY}"
    unpublish_row = OutboxMessage.objects.get(kind=UNPUBLISH_KIND)
    assert unpublish_row.payload["api_key_encrypted"] == ""
    # Nothing else calls Kombo: no sync, no result of the take-home submitted meanwhile.
    calls = len(fake.calls)
    assert sync_orders() == 0 and not OutboxMessage.objects.filter(kind=SYNC_KIND).exists()
    complete(order.session)
    assert send_rows(RESULT_KIND) == [Status.FAILED]
    assert len(fake.calls) == calls
    assert KomboOrder.objects.get(pk=order.pk).session_id == order.session_id  # kept

    # Reconnecting needs both again, keeps the URL and sends the result missed meanwhile.
    form = {"integration_id": INTEGRATION, "region": "eu"}
    again = client.post(reverse("kombo:settings"), {**form, "form_key": "q" * 20})
    assert again.status_code == 400
    again = client.post(
        reverse("kombo:settings"),
        {**form, "api_key": KEY, "webhook_secret": SECRET, "form_key": "r" * 20},
    )
    assert again.status_code == 302
    conn.refresh_from_db()
    assert conn.has_credentials and conn.webhook_token == connection.webhook_token
    assert conn.last_error == ""
    send_rows(PACKAGES_KIND)
    assert send_rows(RESULT_KIND) == [Status.SENT]
    (call,) = fake.results(order.kombo_order_id)
    assert call.body["status"] == "COMPLETED"


def test_reconnecting_before_the_unpublish_is_sent_keeps_the_packages(
    org, org_admin, connection, stage, fake
):
    from apps.ats.kombo.services import connection_disconnect

    connection_disconnect(connection=connection, user=org_admin)
    connection_save(
        organization=org, integration_id=INTEGRATION, region="eu", api_key=KEY,
        webhook_secret=SECRET, user=org_admin,
    )  # fmt: skip
    assert send_rows(UNPUBLISH_KIND) == [Status.FAILED]  # superseded: nothing emptied
    assert send_rows(PACKAGES_KIND) == [Status.SENT]
    assert fake.packages()[-1].body["packages"] != []
    assert OutboxMessage.objects.get(kind=UNPUBLISH_KIND).payload["api_key_encrypted"] == ""


@pytest.mark.parametrize("who", ["recruiter", "interviewer", "outsider"])
def test_only_the_organizations_admins_can_disconnect_kombo(client, request, who, connection):
    client.force_login(request.getfixturevalue(who))
    url = reverse("kombo:disconnect")
    assert client.get(url).status_code == 404
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    assert KomboConnection.objects.get(pk=connection.pk).has_credentials


def test_the_organization_page_links_to_kombo(client, org_admin):
    client.force_login(org_admin)
    assert reverse("kombo:settings") in client.get(reverse("organization")).content.decode()


# -- packages ---------------------------------------------------------------------------------


def test_connecting_publishes_the_take_home_stages_as_packages(fake, org, recruiter, stage):
    connection_save(
        organization=org, integration_id=INTEGRATION, region="eu", api_key=KEY,
        webhook_secret=SECRET,
    )  # fmt: skip
    assert send_rows(PACKAGES_KIND) == [Status.SENT]
    (call,) = fake.packages()
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert call.headers["x-integration-id"] == INTEGRATION
    assert call.body == {
        "packages": [
            {
                "id": f"ib-stage-{stage.pk}",
                "type": "SKILLS_TEST",
                "name": "MES Engineer (Contoso): Take-home",
                "description": f"Written take-home: {stage.kit.name}.",
            }
        ]
    }
    conn = KomboConnection.objects.get(organization=org)
    assert conn.packages_published == 1 and conn.packages_published_at is not None


def test_many_plan_edits_publish_once_with_the_last_state(fake, connection, org, recruiter):
    fake.calls.clear()
    position = make_position(org, recruiter, title="MOM Architect")
    stage = PositionStage.objects.create(
        position=position, order=0, name="Draft", mode="take_home", kit=position.kit
    )
    for n in range(5):
        stage.name = f"Case study v{n}"
        stage.save()
    PositionStage.objects.create(
        position=position, order=1, name="Panel", mode="live", kit=position.kit
    ).delete()
    rows = OutboxMessage.objects.filter(kind=PACKAGES_KIND, status=Status.PENDING)
    assert rows.count() == 1
    (row,) = rows
    assert row.next_attempt_at > timezone.now()  # at the end of the window, not at once
    assert outbox_services.messages_due() == []
    assert send_rows(PACKAGES_KIND) == [Status.SENT]
    (call,) = fake.packages()
    assert [p["name"] for p in call.body["packages"]] == ["MOM Architect (Contoso): Case study v4"]


def test_a_plan_change_without_a_connection_queues_nothing(org, recruiter, stage):
    stage.name = "Renamed"
    stage.save()
    assert not OutboxMessage.objects.filter(kind=PACKAGES_KIND).exists()


def test_kombo_refusing_the_packages_fails_the_row_and_shows_the_error(fake, connection):
    fake.answer_next(401)
    connection.refresh_from_db()
    from apps.ats.kombo import packages

    packages.publish_now(connection)
    assert send_rows(PACKAGES_KIND) == [Status.FAILED]
    connection.refresh_from_db()
    assert "Kombo refused PUT /assessment/packages (401)" in connection.last_error


def test_a_retry_after_from_kombo_delays_the_retry(fake, connection):
    from apps.ats.kombo import packages

    fake.answer_next(429, retry_after=600)
    packages.publish_now(connection)
    before = timezone.now()
    assert send_rows(PACKAGES_KIND) == [Status.PENDING]
    row = OutboxMessage.objects.get(kind=PACKAGES_KIND, status=Status.PENDING)
    assert row.next_attempt_at >= before + timedelta(seconds=600)
    assert "429" in row.last_error


# -- orders in --------------------------------------------------------------------------------


def test_a_signed_order_makes_the_candidate_application_and_invitation(
    client, connection, stage, org
):
    response = order_in(client, connection, stage)
    assert response.status_code == 200
    assert response.json() == {"status": "stored", "order_id": "B5KQKhAgTv6ZwzrfAbqbhipd"}
    order = KomboOrder.objects.get()
    assert (order.organization, order.status) == (org, KomboOrder.Status.RECEIVED)
    assert not Candidate.objects.exists()  # the work is the outbox row's, not the request's
    assert send_rows(ORDER_KIND) == [Status.SENT]
    order.refresh_from_db()
    candidate = Candidate.objects.get()
    assert (candidate.name, candidate.email, candidate.phone) == (
        "John Doe", "john.doe@gmail.com", "+1 123 456 7890",
    )  # fmt: skip
    assert candidate.external_ids == {"kombo": "12345"}
    application = Application.objects.get()
    assert (application.candidate, application.position) == (candidate, stage.position)
    invitation = Invitation.objects.get()
    assert invitation.session == order.session and invitation.session.stage == stage
    assert (order.status, order.stage) == (KomboOrder.Status.CREATED, stage)
    assert OutboxMessage.objects.filter(kind="takehome.invitation_email").count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90LXRoZS1zaWduYXR1cmU", "wrong-secret", "tampered"],
)
def test_an_unsigned_or_wrongly_signed_order_is_401_and_stores_nothing(
    client, connection, stage, signature
):
    payload = json.dumps(order_event(package_id=package_id(stage))).encode()
    headers = {}
    if signature == "wrong-secret":
        headers["HTTP_X_KOMBO_SIGNATURE"] = expected_signature("not-our-secret", payload)
    elif signature == "tampered":
        headers["HTTP_X_KOMBO_SIGNATURE"] = expected_signature(SECRET, payload)
        payload = payload.replace(b"john.doe", b"evil.doe")
    elif signature is not None:
        headers["HTTP_X_KOMBO_SIGNATURE"] = signature
    response = client.post(
        webhook_path(connection), data=payload, content_type="application/json", **headers
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Missing or invalid X-Kombo-Signature."}
    assert not KomboOrder.objects.exists()
    assert not OutboxMessage.objects.filter(kind=ORDER_KIND).exists()


def test_an_unknown_webhook_token_is_404(client, connection, stage):
    payload = order_event(package_id=package_id(stage))
    assert (
        post_signed(client, "/integrations/kombo/webhook/nope", payload, SECRET).status_code == 404
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (b"{not json", None),
        ({"id": "e1", "type": "assessment:order-received"}, "data"),
        ("no-email", "data.candidate.email"),
        ("bad-status", "data.status"),
        ("no-package", "data.package_id"),
    ],
)
def test_a_malformed_order_is_400_with_the_reason_and_stores_nothing(
    client, connection, stage, payload, field
):
    if isinstance(payload, str):
        event = order_event(package_id=package_id(stage))
        if payload == "no-email":
            del event["data"]["candidate"]["email"]
        elif payload == "bad-status":
            event["data"]["status"] = "MAYBE"
        else:
            del event["data"]["package_id"]
        payload = event
    response = post_signed(client, webhook_path(connection), payload, SECRET)
    assert response.status_code == 400
    answer = response.json()
    assert answer["detail"]
    if field:
        assert field in answer["errors"]
    else:
        assert answer["detail"].startswith("Malformed JSON")
    assert not KomboOrder.objects.exists()


def test_another_kind_of_kombo_webhook_is_acknowledged_and_ignored(client, connection):
    payload = {"id": "w1", "type": "sync-finished", "data": {"sync_id": "B89S"}}
    response = post_signed(client, webhook_path(connection), payload, SECRET)
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert not KomboOrder.objects.exists()


def test_the_same_order_twice_creates_nothing_twice(client, connection, stage):
    first = order_in(client, connection, stage)
    again = order_in(client, connection, stage, event_id="a-redelivery")
    assert (first.json()["status"], again.json()["status"]) == ("stored", "known")
    send_rows(ORDER_KIND)
    order_in(client, connection, stage)  # after it was carried out, too
    send_rows(ORDER_KIND)
    assert KomboOrder.objects.count() == 1
    assert OutboxMessage.objects.filter(kind=ORDER_KIND).count() == 1
    assert (Candidate.objects.count(), Application.objects.count()) == (1, 1)
    assert Invitation.objects.count() == 1


def test_a_second_order_for_the_same_person_reuses_the_candidate(client, connection, stage, org):
    carried_out(client, connection, stage)
    other_position = make_position(org, None, title="MOM Architect")
    other_stage = PositionStage.objects.create(
        position=other_position, order=0, name="Case", mode="take_home", kit=other_position.kit
    )
    carried_out(client, connection, other_stage, order_id="second-order")
    assert Candidate.objects.count() == 1
    assert Application.objects.count() == 2 and Invitation.objects.count() == 2


def test_an_order_for_a_package_that_is_not_ours_fails_with_the_reason(client, connection):
    payload = order_event(package_id="ib-stage-999999", integration_id=INTEGRATION)
    assert post_signed(client, webhook_path(connection), payload, SECRET).status_code == 200
    send_rows(ORDER_KIND)
    order = KomboOrder.objects.get()
    assert order.status == KomboOrder.Status.FAILED
    assert order.error == "Package 'ib-stage-999999' is not one of our take-home stages."
    assert not Candidate.objects.exists()


def test_a_cancelled_order_revokes_the_invitation(client, connection, stage, fake):
    order = carried_out(client, connection, stage)
    response = order_in(client, connection, stage, status="CANCELLED")
    assert response.json()["status"] == "known"
    assert send_rows(ORDER_KIND) == [Status.SENT]
    order.refresh_from_db()
    assert order.status == KomboOrder.Status.CANCELLED and order.kombo_status == "CANCELLED"
    assert Invitation.objects.get().revoked_at is not None
    order_in(client, connection, stage, status="CANCELLED", event_id="again")
    assert OutboxMessage.objects.filter(kind=ORDER_KIND).count() == 2  # create, cancel: once


def test_an_order_first_seen_cancelled_creates_nothing(client, connection, stage):
    order_in(client, connection, stage, status="CANCELLED")
    send_rows(ORDER_KIND)
    assert KomboOrder.objects.get().status == KomboOrder.Status.CANCELLED
    assert not Candidate.objects.exists() and not Invitation.objects.exists()


# -- results out ------------------------------------------------------------------------------


def test_a_submitted_take_home_puts_the_status_only(client, connection, stage, fake):
    order = carried_out(client, connection, stage)
    complete(order.session)
    assert send_rows(RESULT_KIND) == [Status.SENT]
    (call,) = fake.results("B5KQKhAgTv6ZwzrfAbqbhipd")
    assert set(call.body) == {"status", "result_url", "completed_at"}
    assert call.body["status"] == "COMPLETED"
    assert call.body["result_url"].startswith("http")
    assert call.headers["authorization"] == f"Bearer {KEY}"
    # The same submit never reports twice.
    assert OutboxMessage.objects.filter(kind=RESULT_KIND).count() == 1


def test_a_scored_take_home_puts_score_attributes_link_and_pdf(
    client, connection, stage, fake, interviewer, settings
):
    settings.KOMBO_ATTACH_PDF = True
    order = carried_out(client, connection, stage)
    session = order.session
    session.interviewers.add(interviewer)
    score(session, interviewer, value=4)
    statuses = send_rows(RESULT_KIND)
    assert statuses and set(statuses) == {Status.SENT}
    call = fake.results()[-1]
    body = call.body
    session.application.refresh_from_db()
    result = session.application.result
    labels = {a["label"]: a["value"] for a in body["attributes"]}
    assert labels["Label"] in (
        "Above the bar",
        "Borderline",
        "Below the bar",
        "Incomplete evidence",
    )
    assert set(labels) >= {"Label", "Band", "Bar", "Level fit"}
    if result["label"] != "incomplete":
        assert body["score"] == round(result["score"], 1) and body["max_score"] == 100.0
    else:
        assert "score" not in body and "max_score" not in body
    assert body["result_url"].startswith(settings.SITE_URL + "/s/")
    (attachment,) = body["attachments"]
    assert attachment["content_type"] == "application/pdf"
    import base64

    assert base64.b64decode(attachment["data"]).startswith(b"%PDF")


def test_an_incomplete_verdict_sends_no_score(client, connection, stage, fake, interviewer):
    order = carried_out(client, connection, stage)
    session = order.session
    session.interviewers.add(interviewer)
    score(session, interviewer, value=3)
    send_rows(RESULT_KIND)
    body = fake.results()[-1].body
    session.application.refresh_from_db()
    if session.application.result["label"] == "incomplete":
        assert "score" not in body and "max_score" not in body
    assert "Likely above the bar" in {a["label"] for a in body["attributes"]} or (
        session.application.result.get("p_above") is None
    )


def test_results_of_a_cancelled_order_are_not_sent(client, connection, stage, fake):
    order = carried_out(client, connection, stage)
    complete(order.session)
    KomboOrder.objects.filter(pk=order.pk).update(status=KomboOrder.Status.CANCELLED)
    assert send_rows(RESULT_KIND) == [Status.FAILED]
    assert fake.results() == []


# -- tenant walls -----------------------------------------------------------------------------


def test_another_organizations_keys_never_touch_our_rows(
    client, connection, stage, other_org, fake
):
    theirs = connection_save(
        organization=other_org, integration_id=OTHER_INTEGRATION, region="eu",
        api_key=OTHER_KEY, webhook_secret=OTHER_SECRET,
    )  # fmt: skip
    # Their secret on our URL: refused.
    assert order_in(client, connection, stage, secret=OTHER_SECRET).status_code == 401
    # Their URL and secret, naming our stage's package: stored as theirs, and it fails there.
    response = post_signed(
        client,
        webhook_path(theirs),
        order_event(package_id=package_id(stage), integration_id=OTHER_INTEGRATION),
        OTHER_SECRET,
    )
    assert response.status_code == 200
    send_rows(ORDER_KIND)
    order = KomboOrder.objects.get()
    assert order.organization == other_org and order.status == KomboOrder.Status.FAILED
    assert not Candidate.objects.exists()
    # Our integration id on their URL: refused as not theirs.
    response = post_signed(
        client,
        webhook_path(theirs),
        order_event(package_id=package_id(stage), order_id="x2", integration_id=INTEGRATION),
        OTHER_SECRET,
    )
    assert response.status_code == 400
    assert "data.integration_id" in response.json()["errors"]


def test_the_same_order_id_in_two_organizations_is_two_orders(
    client, connection, stage, other_org, fake
):
    theirs = connection_save(
        organization=other_org, integration_id=OTHER_INTEGRATION, region="eu",
        api_key=OTHER_KEY, webhook_secret=OTHER_SECRET,
    )  # fmt: skip
    carried_out(client, connection, stage)
    post_signed(
        client,
        webhook_path(theirs),
        order_event(package_id="ib-stage-1", integration_id=OTHER_INTEGRATION),
        OTHER_SECRET,
    )
    assert KomboOrder.objects.filter(kombo_order_id="B5KQKhAgTv6ZwzrfAbqbhipd").count() == 2
    ours = KomboOrder.objects.get(organization=connection.organization)
    assert ours.status == KomboOrder.Status.CREATED


# -- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 50])
def test_the_admin_page_costs_the_same_queries_with_one_or_many_orders(
    client, org_admin, connection, stage, org, n, django_assert_max_num_queries
):
    stages = [stage]
    for i in range(1, n):
        position = make_position(org, None, title=f"Role {i}")
        stages.append(
            PositionStage.objects.create(
                position=position, order=0, name="Take-home", mode="take_home", kit=position.kit
            )
        )
    for i, each in enumerate(stages):
        order = carried_out(client, connection, each, order_id=f"order-{i}", email=f"c{i}@x.com")
        assert order.status == KomboOrder.Status.CREATED
    client.force_login(org_admin)
    client.get(reverse("kombo:settings"))  # the session is read and cached once
    with django_assert_max_num_queries(12):
        response = client.get(reverse("kombo:settings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<code>order-") == n  # one row per order, candidate linked
    for order in KomboOrder.objects.select_related("session__application__candidate"):
        link = reverse("interviews:application_detail", args=[order.session.application_id])
        assert f'{link}">{order.session.application.candidate.name}</a>' in page
    assert page.count("<code>ib-stage-") == n  # one package row per take-home stage


def test_the_webhook_costs_a_constant_number_of_queries(
    client, connection, stage, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert order_in(client, connection, stage).status_code == 200


def test_the_stage_kit_must_be_written_for_the_order_to_be_carried_out(
    client, connection, org, recruiter
):
    position = make_position(org, recruiter, title="Oral only", written=False)
    oral = PositionStage.objects.create(
        position=position, order=0, name="Take-home", mode="take_home", kit=make_kit(2)
    )
    order = carried_out(client, connection, oral)
    assert order.status == KomboOrder.Status.FAILED
    assert "written or scenario question" in order.error


def test_deleting_an_organization_writes_no_publish_row(connection, stage, org):
    OutboxMessage.objects.all().delete()
    org.delete()
    assert not OutboxMessage.objects.exists()
    assert not KomboConnection.objects.exists()


def test_deleting_a_take_home_stage_republishes(fake, connection, stage):
    OutboxMessage.objects.filter(kind=PACKAGES_KIND).delete()
    stage.delete()
    assert send_rows(PACKAGES_KIND) == [Status.SENT]
    assert fake.packages()[-1].body == {"packages": []}


def test_nul_characters_in_an_order_are_dropped_not_a_500(client, connection, stage):
    event = order_event(package_id=package_id(stage), integration_id=INTEGRATION)
    event["data"]["candidate"]["first_name"] = "Jo\x00hn"
    assert post_signed(client, webhook_path(connection), event, SECRET).status_code == 200
    assert KomboOrder.objects.get().payload["data"]["candidate"]["first_name"] == "John"


def test_retry_later_waits_at_least_the_backoff_and_at_most_an_hour():
    from apps import outbox

    def soon(message):
        raise outbox.RetryLater("busy", after_seconds=1)

    def much_later(message):
        raise outbox.RetryLater("busy", after_seconds=10**6)

    outbox.register("test.kombo.soon", soon)
    outbox.register("test.kombo.later", much_later)
    before = timezone.now()
    for kind in ("test.kombo.soon", "test.kombo.later"):
        row = outbox.enqueue(kind, {})
        assert outbox_services.message_send(message_id=row.pk) == Status.PENDING
    soon_row, later_row = OutboxMessage.objects.filter(kind__startswith="test.kombo").order_by("pk")
    assert soon_row.next_attempt_at >= before + timedelta(seconds=23)  # the usual 30 s ±20%
    assert later_row.next_attempt_at <= timezone.now() + timedelta(seconds=3600)
    assert later_row.next_attempt_at >= before + timedelta(seconds=3599)


def test_an_order_kombo_cancelled_is_found_by_the_sync_and_revokes_the_invitation(
    client, connection, stage, fake, other_org
):
    from apps.ats.kombo import SYNC_KIND
    from apps.ats.kombo.tasks import sync_orders

    order = carried_out(client, connection, stage)
    kept = carried_out(client, connection, stage, order_id="still-open", email="k@example.com")
    fake.orders[order.kombo_order_id] = {"id": order.kombo_order_id, "status": "CANCELLED"}
    fake.orders["still-open"] = {"id": "still-open", "status": "OPEN"}
    fake.orders["someone-elses"] = {"id": "someone-elses", "status": "CANCELLED"}
    assert sync_orders() == 1
    assert sync_orders() == 1  # the same period: still one row
    assert OutboxMessage.objects.filter(kind=SYNC_KIND).count() == 1
    assert send_rows(SYNC_KIND) == [Status.SENT]
    (call,) = [c for c in fake.calls if c.method == "GET"]
    assert "statuses=CANCELLED%2CREJECTED" in call.path
    assert send_rows(ORDER_KIND) == [Status.SENT]
    order.refresh_from_db()
    kept.refresh_from_db()
    assert (order.status, order.kombo_status) == (KomboOrder.Status.CANCELLED, "CANCELLED")
    assert order.session.invitation.revoked_at is not None
    assert kept.status == KomboOrder.Status.CREATED
    assert kept.session.invitation.revoked_at is None
