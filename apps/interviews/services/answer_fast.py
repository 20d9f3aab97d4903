"""The take-home autosave in one SQL statement (PostgreSQL), in front of ``answer_save``.

Why: the autosave is the hottest write of the product (every candidate's page saves while
they type). The service (``invitations.answer_save``) takes a transaction, a locking read of
the invitation and an UPDATE: three round trips and the Python of the rule. This statement
does the same in one round trip:

- it locks the invitation found by the session's token hash ``FOR SHARE`` (a submit's
  ``FOR UPDATE`` waits for it, and it waits for a submit, then re-reads the row);
- it applies THE rule for changing an answer, as SQL: ``invitations.invitation_unusable_reason``
  is None (not submitted, not revoked, the session scheduled or in progress; ``usable_q``), the
  assignment is started, and now is within ``invitations.deadline`` plus ``invitations.grace``;
- it compare-and-swaps the answer's version, like the service.

It only ever accepts: any refusal (0 rows: a conflict, time up, submitted, a foreign item...)
returns None and the caller runs the service, which decides again under its own lock and says
why. So the rule's wording lives once, in the service; the SQL below mirrors its conditions,
and tests/takehome/test_autosave_fast.py checks, for a grid of invitation states, that the two
accept and refuse alike. Other databases always use the service.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.db import connection

from ..models import Answer, CandidateSession, Invitation, SessionItem
from .invitations import USABLE_SESSION_STATUSES, grace


def _statement(with_events: bool) -> str:
    answer = Answer._meta.db_table
    invitation = Invitation._meta.db_table
    session = CandidateSession._meta.db_table
    item = SessionItem._meta.db_table
    statuses = ", ".join(f"'{s}'" for s in USABLE_SESSION_STATUSES)  # constants, not input
    events = ", paste_events = a.paste_events || %(events)s::jsonb" if with_events else ""
    # invitations.deadline: the link's deadline, or the time limit (with extra time) once
    # started, whichever is sooner; a time limit of 0 or NULL means none (Python: falsy).
    # Only table names and constants are formatted in; every value is a parameter.
    return f"""
WITH usable AS (
    SELECT i.session_id
    FROM {invitation} i JOIN {session} s ON s.id = i.session_id
    WHERE i.token_hash = %(token_hash)s
      AND i.submitted_at IS NULL
      AND i.revoked_at IS NULL
      AND s.status IN ({statuses})
      AND i.started_at IS NOT NULL
      AND %(now)s <= LEAST(
            i.expires_at,
            CASE WHEN COALESCE(i.time_limit_seconds, 0) > 0 THEN
                i.started_at + make_interval(secs =>
                    i.time_limit_seconds * (1 + i.extra_time_percent / 100.0)
                    + i.extra_time_minutes * 60)
            END
          ) + %(grace)s
    FOR SHARE OF i
)
UPDATE {answer} a
SET text = %(text)s,
    version = a.version + 1,
    saved_at = %(now)s,
    focus_lost = a.focus_lost + %(focus_lost)s,
    active_seconds = a.active_seconds + %(active_seconds)s{events}
FROM {item} si, usable u
WHERE a.item_id = %(item_id)s
  AND si.id = a.item_id
  AND si.session_id = u.session_id
  AND a.version = %(version)s
RETURNING a.version
"""  # noqa: S608


STATEMENTS = {True: _statement(True), False: _statement(False)}


def available() -> bool:
    """The statement is PostgreSQL's; elsewhere every save takes the service's path."""
    return connection.vendor == "postgresql"


def answer_save_sql(
    *,
    token_hash: str,
    item_id: int,
    text: str,
    version: int,
    now: datetime,
    paste_events: list[dict] = (),
    focus_lost: int = 0,
    active_seconds: int = 0,
) -> Answer | None:
    """Save in one statement if everything allows it; None when it refused (or could not tell
    why): then call the service. Arguments as ``invitations.answer_save``, already checked
    (a version, the text's length) and clamped (focus_lost, active_seconds) by it."""
    params = {
        "token_hash": token_hash,
        "now": now,
        "grace": grace(),
        "text": text,
        "focus_lost": focus_lost,
        "active_seconds": active_seconds,
        "item_id": item_id,
        "version": version,
        "events": json.dumps(list(paste_events)),
    }
    with connection.cursor() as cursor:
        cursor.execute(STATEMENTS[bool(paste_events)], params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Answer(item_id=item_id, text=text, version=row[0], saved_at=now)
