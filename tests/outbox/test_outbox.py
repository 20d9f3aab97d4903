"""The outbox: a row per side effect, written in the caller's transaction, sent once."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps import outbox
from apps.outbox import services, tasks
from apps.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status

CALLS: list[int] = []


def _record(message):
    CALLS.append(message.pk)


def _flaky(message):
    raise outbox.RetryLater("the receiver answered 503")


def _refused(message):
    raise outbox.GiveUp("the address is refused")


@pytest.fixture(autouse=True)
def kinds():
    CALLS.clear()
    outbox.register("test.record", _record, secret_keys=("secret",))
    outbox.register("test.flaky", _flaky, secret_keys=("secret",))
    outbox.register("test.refused", _refused, secret_keys=("secret",))


def _email(**extra):
    payload = {"to": ["rita@acme.example"], "subject": "Hello", "body": "Body text"}
    return outbox.enqueue("email", {**payload, **extra})


def test_an_email_row_is_sent_after_commit_with_a_stable_message_id(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _email()
        assert mail.outbox == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 1, "")
    assert message.sent_at is not None and message.claimed_until is None
    (sent,) = mail.outbox
    assert (sent.subject, sent.to, sent.body) == ("Hello", ["rita@acme.example"], "Body text")
    expected_id = f"<outbox.{message.pk}.{int(message.created_at.timestamp())}@127.0.0.1>"
    assert sent.extra_headers["Message-ID"] == expected_id
    assert sent.message()["Message-ID"] == expected_id


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _email()
        raise RuntimeError("the change failed")
    assert (OutboxMessage.objects.count(), len(callbacks), mail.outbox) == (0, 0, [])


def test_the_same_dedupe_key_twice_is_one_row_and_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.enqueue("test.record", {"n": 1}, dedupe_key="k-1")
        second = outbox.enqueue("test.record", {"n": 2}, dedupe_key="k-1")
        other = outbox.enqueue("test.record", {"n": 3})
    assert second.pk == first.pk and other.pk != first.pk
    assert OutboxMessage.objects.get(pk=first.pk).payload == {"n": 1}
    assert sorted(CALLS) == sorted([first.pk, other.pk])


def test_sending_is_idempotent_per_row():
    message = outbox.enqueue("test.record", {})  # no commit hook ran: still pending
    assert services.message_send(message_id=message.pk) == Status.SENT
    assert services.message_send(message_id=message.pk) is None  # a redelivered task
    assert tasks.send_message(message.pk) is None
    assert tasks.sweep_outbox() == 0
    assert [message.pk] == CALLS
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)


def test_a_leased_row_is_left_alone_until_its_lease_runs_out():
    message = outbox.enqueue("test.record", {})
    # Another worker claimed it a moment ago and is sending.
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5), attempts=1
    )
    assert services.message_send(message_id=message.pk) is None
    assert services.messages_due() == [] and CALLS == []
    # That worker died: once the lease is over, the sweep sends the row.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now())
    assert tasks.sweep_outbox() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, CALLS) == (Status.SENT, 2, [message.pk])


def test_a_failure_is_retried_with_backoff_then_fails_for_good():
    message = outbox.enqueue("test.flaky", {"secret": "encrypted-blob", "keep": 1})
    before = timezone.now()
    assert services.message_send(message_id=message.pk) == Status.PENDING
    message.refresh_from_db()
    assert message.attempts == 1 and message.claimed_until is None
    assert message.last_error == "RetryLater: the receiver answered 503"
    # 30 s with ±20% jitter; not due, so neither a task nor the sweep sends it now.
    assert before + timedelta(seconds=23) < message.next_attempt_at
    assert message.next_attempt_at < before + timedelta(seconds=37)
    assert services.message_send(message_id=message.pk) is None
    assert services.messages_due() == []
    for _ in range(services.MAX_ATTEMPTS - 1):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, services.MAX_ATTEMPTS)
    assert message.payload == {"secret": "", "keep": 1}  # secrets are blanked once final


def test_backoff_doubles_up_to_an_hour():
    assert [round(services.backoff(n).total_seconds() / 30) for n in (1,)] == [1]
    assert 96 <= services.backoff(3).total_seconds() <= 144
    assert services.backoff(30).total_seconds() <= 3600 * 1.2


def test_give_up_fails_at_once_and_blanks_the_secret():
    message = outbox.enqueue("test.refused", {"secret": "x"})
    assert services.message_send(message_id=message.pk) == Status.FAILED
    message.refresh_from_db()
    assert (message.attempts, message.last_error) == (1, "GiveUp: the address is refused")
    assert message.payload == {"secret": ""}


def test_an_unknown_kind_is_retried_not_lost():
    message = outbox.enqueue("test.nobody-registered-this", {})
    assert services.message_send(message_id=message.pk) == Status.PENDING
    message.refresh_from_db()
    assert message.status == Status.PENDING and "no handler registered" in message.last_error


def test_a_message_due_later_waits_for_the_sweep(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = outbox.enqueue("test.record", {}, send_after=timezone.now() + timedelta(hours=1))
    assert callbacks == [] and tasks.sweep_outbox() == 0 and CALLS == []
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert tasks.sweep_outbox() == 1 and [message.pk] == CALLS


def test_cancel_pending_fails_matching_rows_only():
    a = outbox.enqueue("test.record", {"invitation_id": 1, "secret": "s"})
    b = outbox.enqueue("test.record", {"invitation_id": 2, "secret": "s"})
    assert outbox.cancel_pending("test.record", "superseded", invitation_id=1) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.last_error, a.payload) == (
        Status.FAILED,
        "superseded",
        {"invitation_id": 1, "secret": ""},
    )
    assert b.status == Status.PENDING


def test_a_header_value_with_a_line_break_still_goes_out(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _email(subject="Hi\r\nBcc: victim@example.com")
    (sent,) = mail.outbox
    assert sent.subject == "Hi Bcc: victim@example.com" and "Bcc" not in sent.message()


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert (entry["task"], entry["schedule"]) == ("apps.outbox.tasks.sweep_outbox", 30.0)


def test_platform_staff_see_the_outbox_in_the_admin_and_org_admins_do_not(client, org_admin):
    from tests.factories import UserFactory

    message = outbox.enqueue("test.record", {})
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get("/admin/outbox/outboxmessage/").status_code == 200
    assert client.get(f"/admin/outbox/outboxmessage/{message.pk}/change/").status_code == 200
    client.force_login(org_admin)
    response = client.get("/admin/outbox/outboxmessage/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_broker_outage_fails_no_request_and_the_sweep_sends_later(
    caplog, django_capture_on_commit_callbacks, monkeypatch
):
    """Celery pointed at a Redis port with nothing listening: the commit goes through, the
    row waits (a warning is logged), and the next queueing attempts do not even try."""
    import socket

    from apps.outbox import services as outbox_services
    from interviewbank.celery import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", dead)  # Celery reads it before its configuration
    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = dead, False
    app._pool = app.amqp._producer_pool = None
    outbox_services.broker_reconfigured()
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            first = _email()
        with django_capture_on_commit_callbacks(execute=True):
            second = _email()
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
        app._pool = app.amqp._producer_pool = None
        outbox_services.broker_reconfigured()
    assert elapsed < 3
    warnings = [r for r in caplog.records if "could not queue message" in r.getMessage()]
    assert [w.getMessage() for w in warnings] == [
        f"outbox: could not queue message {first.pk} (broker down?); the sweep will send it"
    ]  # the second commit did not try the broker again
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 2
    assert tasks.sweep_outbox() == 2  # eager again: the sweep sends both
    assert len(mail.outbox) == 2 and second.pk != first.pk
