"""Writes of the interviews domain. Every interface (pages, API, tasks, commands) calls these.

Services take keyword-only arguments, validate with ``full_clean`` or explicit checks, raise
``ValidationError`` with field-level messages, and run in one transaction.

The package splits them by subject (applications, briefs, candidates, sessions, scorecards,
scoring); callers
import from ``apps.interviews.services`` as before.
"""

from .applications import answer_mark_discussed_live, application_decide, application_for
from .briefs import (
    brief_check_run,
    kit_suggest,
    plan_suggest,
    position_create,
    position_plan_apply,
    position_update,
    weights_validate,
)
from .candidates import (
    candidate_create,
    candidate_duplicate,
    candidate_link_external,
    candidate_update_contact,
)
from .scorecards import (
    ScorecardData,
    scorecard_correct,
    scorecard_for,
    scorecard_missing,
    scorecard_not_asked,
    scorecard_save_draft,
    scorecard_submit,
)
from .scoring import (
    application_rescore,
    application_role,
    applications_rescore,
    scoring_constants,
    session_rescore,
    sessions_rescore,
)
from .sessions import session_assign_interviewers, session_cancel, session_create

__all__ = [
    "ScorecardData",
    "answer_mark_discussed_live",
    "application_decide",
    "application_for",
    "application_rescore",
    "application_role",
    "applications_rescore",
    "brief_check_run",
    "candidate_create",
    "candidate_duplicate",
    "candidate_link_external",
    "candidate_update_contact",
    "kit_suggest",
    "plan_suggest",
    "position_create",
    "position_plan_apply",
    "position_update",
    "scorecard_correct",
    "scorecard_for",
    "scorecard_missing",
    "scorecard_not_asked",
    "scorecard_save_draft",
    "scorecard_submit",
    "scoring_constants",
    "session_assign_interviewers",
    "session_cancel",
    "session_create",
    "session_rescore",
    "sessions_rescore",
    "weights_validate",
]
