"""Bullhorn connector (issue 16): an organization connects its Bullhorn with its own API
credentials; candidates come in when a JobSubmission reaches a status the organization maps,
and results go back as a Note and the PDF report on the Bullhorn candidate.

Bullhorn has no assessment feature, so this is the usual vendor pattern: we call Bullhorn's
REST API (``client.py``), poll its event subscription on the beat (``tasks.py``), and write
back through the outbox. Every call to Bullhorn is made by an outbox handler here:

- ``bullhorn.connect`` {connection_id}: log in with the stored credentials and subscribe;
- ``bullhorn.poll`` {connection_id}: fetch and process the subscription's events;
- ``bullhorn.result`` {application_id}: write the application's result back;
- ``bullhorn.unsubscribe`` {connection_id, the credentials, encrypted}: a disconnect's last
  call, deleting our event subscription (the credentials are secret payload keys, blanked by
  the outbox once the row is sent or failed).

Handlers turn the client's errors into the outbox's: ``RetryAfter`` (429, 5xx, network) ->
``RetryLater(after_seconds=Retry-After)``; ``AuthDead`` (a 401 a fresh login cannot cure) ->
the connection is disabled, the admins e-mailed, and the row given up; other refusals ->
``GiveUp``. The connection and mappings are in ``services.py``, candidates in in
``inbound.py``, results out in ``results.py``; the admin page in ``views.py``, ``urls.py``.
"""

from __future__ import annotations

from apps import outbox

from ..models import BullhornApplication, BullhornConnection
from . import inbound, results, services
from .client import AuthDead, BullhornError, Refused, RetryAfter
from .services import CONNECT_KIND, POLL_KIND, RESULT_KIND, UNSUBSCRIBE_KIND, UNSUBSCRIBE_SECRETS
from .tasks import bullhorn_poll_due  # noqa: F401 - registers the beat's task

__all__ = ["CONNECT_KIND", "KINDS", "POLL_KIND", "RESULT_KIND", "on_event"]


def _run(work, connection_id: int | None = None):
    try:
        return work()
    except RetryAfter as exc:
        raise outbox.RetryLater(str(exc), after_seconds=exc.after_seconds) from None
    except AuthDead as exc:
        if connection_id is not None:
            connection = BullhornConnection.objects.filter(pk=connection_id).first()
            if connection is not None:
                services.connection_disable(connection=connection, reason=str(exc))
        raise outbox.GiveUp(str(exc)) from None
    except Refused as exc:
        raise outbox.GiveUp(str(exc)) from None
    except BullhornError as exc:  # an answer we cannot read: try again later
        raise outbox.RetryLater(str(exc)) from None


def connect_send(message) -> None:
    connection_id = message.payload["connection_id"]
    _run(lambda: services.connection_connect(connection_id=connection_id), connection_id)


def poll_send(message) -> None:
    connection_id = message.payload["connection_id"]
    _run(lambda: inbound.connection_poll(connection_id=connection_id), connection_id)


def result_send(message) -> None:
    application_id = message.payload["application_id"]
    link = BullhornApplication.objects.filter(application_id=application_id).first()
    connection_id = (
        BullhornConnection.objects.filter(organization_id=link.organization_id)
        .values_list("pk", flat=True)
        .first()
        if link
        else None
    )
    _run(lambda: results.result_write(application_id=application_id), connection_id)


def unsubscribe_send(message) -> None:
    payload = message.payload or {}
    secrets = {name: payload.get(name, "") for name in UNSUBSCRIBE_SECRETS}
    # No connection id to disable: the connection is disconnected already.
    _run(
        lambda: services.connection_unsubscribe(
            connection_id=payload["connection_id"], secrets=secrets
        )
    )


KINDS = {
    CONNECT_KIND: connect_send,
    POLL_KIND: poll_send,
    RESULT_KIND: result_send,
    UNSUBSCRIBE_KIND: unsubscribe_send,
}
#: Payload keys of a kind that the outbox blanks once its row is sent or failed.
SECRET_KEYS = {UNSUBSCRIBE_KIND: UNSUBSCRIBE_SECRETS}


def on_event(event: str, obj) -> None:
    """``application.scored`` (a new result, so perhaps a new label) of an application that
    came from Bullhorn: queue its write-back, in the transaction of the change."""
    if event == "application.scored":
        results.result_enqueue(obj)
