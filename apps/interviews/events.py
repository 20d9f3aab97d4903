"""Domain events of the interviews app, for listeners in apps that build on it.

``apps.ats`` (webhooks, ATS partner callbacks) imports interviews, never the reverse, so the
services announce what happened here and listeners registered in their AppConfig.ready() act
on it. Listeners run synchronously inside the service's transaction: an outbox row written by
a listener commits or rolls back with the change it describes.

Events: ``session.created``, ``session.submitted``, ``session.scored``, ``application.scored``,
``candidate.updated``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

EVENTS = (
    "session.created",
    "session.submitted",
    "session.scored",
    "application.scored",
    "candidate.updated",
)
Listener = Callable[[str, Any], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def emit(event: str, obj: Any) -> None:
    """Tell every listener that ``event`` happened to ``obj`` (a CandidateSession, Application
    or Candidate)."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    for listener in list(_listeners):
        listener(event, obj)
