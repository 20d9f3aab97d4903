"""Take-home e-mails through the outbox, and the one ``invitation_usable`` rule on every path:
a cancelled or revoked take-home can never be submitted (nor turn back into "submitted" with
its webhooks and e-mails)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apps.accounts import crypto
from apps.accounts.models import Role
from apps.ats.greenhouse.services import greenhouse_send_test, greenhouse_status
from apps.ats.models import WebhookDelivery
from apps.ats.webhooks import endpoint_create
from apps.interviews import services
from apps.interviews.models import CandidateSession, Invitation
from apps.interviews.services import invitations, notifications
from apps.outbox.models import OutboxMessage
from tests.factories import MembershipFactory
from tests.takehome.conftest import start

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
CALLBACK = "http://127.0.0.1:9/callback"


def _rows_containing(needle: str) -> list[str]:
    """Every table (and column value) holding ``needle`` anywhere."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from Django)
            if any(needle in str(value) for row in cursor.fetchall() for value in row):
                found.append(table)
    return found


def test_the_link_email_is_an_outbox_row_whose_token_is_never_stored_in_plaintext(
    make_invitation, th_position, th_candidate, recruiter
):
    # Created without running the commit hooks: the row waits, as when the broker is down.
    created = invitations.invitation_create(
        position=th_position, candidate=th_candidate, created_by=recruiter,
        expires_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    message = OutboxMessage.objects.get(kind=notifications.INVITATION_EMAIL)
    assert message.status == Status.PENDING and mail.outbox == []
    assert crypto.decrypt(message.payload["token"]) == created.token
    assert _rows_containing(created.token) == []
    assert message.organization_id == th_position.organization_id

    from apps.outbox import tasks

    assert tasks.sweep_outbox() == 1  # what the beat does once the broker is back
    (sent,) = mail.outbox
    assert f"/t/{created.token}/" in sent.body and sent.to == ["tom@example.com"]
    message.refresh_from_db()
    assert message.status == Status.SENT and message.payload["token"] == ""
    invitation = Invitation.objects.get()
    assert (invitation.send_count, invitation.sent_at is not None) == (1, True)
    assert _rows_containing(created.token) == []


def test_a_resend_supersedes_an_unsent_older_email(th_position, th_candidate, recruiter):
    first = invitations.invitation_create(
        position=th_position, candidate=th_candidate, created_by=recruiter,
        expires_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    again = invitations.invitation_resend(invitation=first.invitation)
    older, newer = OutboxMessage.objects.order_by("pk")
    assert (older.status, older.last_error, older.payload["token"]) == (
        Status.FAILED,
        "superseded by a re-send",
        "",
    )
    from apps.outbox import tasks

    assert tasks.sweep_outbox() == 1
    (sent,) = mail.outbox  # only the live link is mailed
    assert f"/t/{again.token}/" in sent.body and first.token not in sent.body
    newer.refresh_from_db()
    assert newer.status == Status.SENT


def test_an_email_already_queued_for_a_dead_link_is_not_sent(th_position, th_candidate, recruiter):
    created = invitations.invitation_create(
        position=th_position, candidate=th_candidate, created_by=recruiter,
        expires_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    services.session_cancel(session=created.invitation.session)
    from apps.outbox import tasks

    assert tasks.sweep_outbox() == 1
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert (message.status, message.last_error) == (
        Status.FAILED,
        "GiveUp: the link no longer works (revoked)",
    )


def test_submission_is_mailed_once_to_interviewers_and_the_creator(
    started, interviewer, recruiter, django_capture_on_commit_callbacks
):
    client, created = started
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/takehome/submit/", {"confirm": "1"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        invitations.takehome_submit(invitation=created.invitation)  # idempotent: no 2nd mail
    (sent,) = [m for m in mail.outbox if m.subject.startswith("Take-home submitted")]
    assert sorted(sent.to) == sorted([interviewer.email, recruiter.email])
    assert sent.subject == "Take-home submitted: Tom K for MES Engineer"
    row = OutboxMessage.objects.get(
        dedupe_key=f"takehome-submitted:{created.invitation.session_id}"
    )
    assert (row.status, row.attempts) == (Status.SENT, 1)


def test_a_greenhouse_ordered_takehome_is_mailed_to_recruiters_and_admins(
    client, org, th_position, org_admin, recruiter, interviewer, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    other_admin = MembershipFactory(organization=org, role=Role.ADMIN).user
    with django_capture_on_commit_callbacks(execute=True):
        order = _greenhouse_order(org, th_position)
    (invite,) = mail.outbox
    token = invite.body.split("/t/")[1].split("/")[0]
    mail.outbox.clear()
    assert (
        list(order.session.interviewers.all()) == [] and order.session.invitation.created_by is None
    )
    start(client, token)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/takehome/submit/", {"confirm": "1"}).status_code == 302
    (sent,) = [m for m in mail.outbox if m.subject.startswith("Take-home submitted")]
    assert sorted(sent.to) == sorted([org_admin.email, recruiter.email, other_admin.email])
    assert interviewer.email not in sent.to


def _greenhouse_order(org, position):
    """A take-home ordered through Greenhouse's send_test: no interviewers, no creator."""
    candidate = {
        "first_name": "Gail",
        "last_name": "Hus",
        "email": "gail@example.com",
        "greenhouse_profile_url": "https://app.greenhouse.io/people/1",
    }
    data = {"partner_test_id": str(position.pk), "candidate": candidate, "url": CALLBACK}
    return greenhouse_send_test(organization=org, position=position, data=data, payload=data)


def _cancel(created, how):
    if how == "cancelled":
        services.session_cancel(session=created.invitation.session)
    else:
        invitations.invitation_revoke(invitation=created.invitation)


@pytest.fixture
def hooked(org, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    return endpoint_create(
        organization=org, url="http://127.0.0.1:9/hooks", events=["session.submitted"]
    )


def _nothing_fired(created, status):
    session = CandidateSession.objects.get(pk=created.invitation.session_id)
    invitation = Invitation.objects.get(pk=created.invitation.pk)
    assert session.status == status and invitation.submitted_at is None
    assert not OutboxMessage.objects.filter(kind="email").exists()
    assert not WebhookDelivery.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("how", ["cancelled", "revoked"])
def test_a_dead_takehome_cannot_be_opened_saved_or_submitted_on_any_path(
    started, hooked, how, django_capture_on_commit_callbacks
):
    client, created = started
    mail.outbox.clear()
    _cancel(created, how)
    expected = "cancelled" if how == "cancelled" else "in_progress"
    item = created.invitation.session.items.order_by("order").first()
    with django_capture_on_commit_callbacks(execute=True):
        # open (GET and POST), autosave, the no-JS form's submit, the submit endpoint
        assert client.get(f"/t/{created.token}/").status_code == 410
        assert client.post(f"/t/{created.token}/").status_code == 410
        saved = client.post(f"/takehome/answers/{item.pk}/", {"text": "late", "version": "0"})
        assert saved.status_code == 410
        form = client.post("/takehome/", {f"answer-{item.pk}": "x", "submit": "1", "confirm": "1"})
        assert form.status_code in (200, 400, 410)
        response = client.post("/takehome/submit/", {"confirm": "1"})
        assert response.status_code in (400, 410)
        # the service itself, as the API and Greenhouse reach it
        with pytest.raises(ValidationError, match="can no longer be submitted"):
            invitations.takehome_submit(invitation=created.invitation)
        if how == "cancelled":  # (re-sending a revoked link reinstates it on purpose)
            with pytest.raises(ValidationError, match="cannot be re-sent"):
                invitations.invitation_resend(invitation=created.invitation)
    _nothing_fired(created, expected)


def test_a_cancelled_greenhouse_takehome_stays_cancelled(
    client, org, th_position, settings, hooked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = _greenhouse_order(org, th_position)
    token = mail.outbox[0].body.split("/t/")[1].split("/")[0]
    start(client, token)
    mail.outbox.clear()
    services.session_cancel(session=order.session)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/takehome/submit/", {"confirm": "1"}).status_code in (400, 410)
    order.refresh_from_db()
    assert greenhouse_status(order)["partner_status"] == "cancelled"
    created = invitations.Created(order.session.invitation, token)
    _nothing_fired(created, "cancelled")


def test_a_submit_racing_a_cancel_changes_nothing(started, hooked):
    """The writes are conditional: even past the checks, a cancelled session is not moved."""
    _, created = started
    mail.outbox.clear()
    invitation = Invitation.objects.select_related("session").get(pk=created.invitation.pk)
    assert invitations.invitation_usable(invitation)
    CandidateSession.objects.filter(pk=invitation.session_id).update(status="cancelled")
    assert not Invitation.objects.filter(invitations.usable_q(), pk=invitation.pk).exists()
    with pytest.raises(ValidationError):
        invitations.takehome_submit(invitation=invitation)
    _nothing_fired(created, "cancelled")


def test_a_pending_link_email_survives_a_field_key_rotation(
    settings, th_position, th_candidate, recruiter
):
    """``rotate_field_key`` re-encrypts the token a pending outbox row holds, so the e-mail
    still goes out once the old key is dropped (it waited out a broker outage, say)."""
    from io import StringIO

    from django.core.management import call_command

    from apps.outbox import tasks

    old, new = crypto.new_key(), crypto.new_key()
    settings.FIELD_ENCRYPTION_KEY = [old]
    created = invitations.invitation_create(
        position=th_position, candidate=th_candidate, created_by=recruiter,
        expires_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    settings.FIELD_ENCRYPTION_KEY = [new, old]
    out = StringIO()
    call_command("rotate_field_key", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == "1 of 1 stored secrets re-encrypted; 0 unreadable."
    settings.FIELD_ENCRYPTION_KEY = [new]  # the old key is dropped
    assert tasks.sweep_outbox() == 1
    (sent,) = mail.outbox
    assert f"/t/{created.token}/" in sent.body
