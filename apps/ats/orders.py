"""Which assessment-partner orders an interviews event reports on: one rule for every partner
that orders take-homes (Greenhouse, Kombo), so they cannot drift apart.

- ``session.submitted``: the orders of that take-home session, reported once (dedupe
  "submitted");
- ``application.scored``: the orders whose take-home is scored, of that application: the
  verdict is for the role, so a later live stage updates the partner too (no dedupe: every
  rescore is news).
"""

from __future__ import annotations

from django.db.models import QuerySet

from apps.interviews.models import CandidateSession


def orders_to_report(orders: QuerySet, event: str, obj) -> tuple[QuerySet, str | None] | None:
    """``(orders, dedupe)`` for the event, or None when it concerns no order."""
    if event == "session.submitted":
        return orders.filter(session_id=obj.pk), "submitted"
    if event == "application.scored":
        scored = CandidateSession.Status.SCORED
        return orders.filter(session__application_id=obj.pk, session__status=scored), None
    return None
