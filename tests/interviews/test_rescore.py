import io

import pytest
from django.core.management import call_command

from apps.interviews import tasks
from apps.interviews.models import CandidateSession

from .conftest import rate_all

pytestmark = pytest.mark.django_db


def test_rescore_command_recomputes_with_new_constants(session, interviewer, settings):
    rate_all(session, interviewer, 4)
    session.refresh_from_db()
    before = session.result
    assert before["constants"]["mu"] == 0.5
    settings.SCORING_CONSTANTS = {"mu": 0.3}
    out, err = io.StringIO(), io.StringIO()
    call_command("rescore_sessions", stdout=out, stderr=err)
    assert "1 session(s) rescored" in out.getvalue()
    assert "[" in err.getvalue() and "1/1" in err.getvalue()
    session.refresh_from_db()
    assert session.result["constants"]["mu"] == 0.3
    assert session.result["score"] < before["score"]


def test_rescore_task_runs_the_service(session, interviewer):
    rate_all(session, interviewer, 2)
    CandidateSession.objects.filter(pk=session.pk).update(result={"stale": True})
    assert tasks.rescore_sessions.apply(args=[[session.pk]]).get() == 1
    session.refresh_from_db()
    assert "score" in session.result


def test_rescore_command_covers_applications_and_keeps_v1_until_run(session, interviewer):
    rate_all(session, interviewer, 3)
    application = session.application
    application.refresh_from_db()
    # A result stored under version 1 keeps its version string until an explicit rescore.
    stale = dict(application.result, scoring_version="2026.1")
    type(application).objects.filter(pk=application.pk).update(result=stale)
    application.refresh_from_db()
    assert application.result["scoring_version"] == "2026.1"
    out, err = io.StringIO(), io.StringIO()
    call_command("rescore_sessions", "--applications-only", stdout=out, stderr=err)
    assert "1 application(s) rescored" in out.getvalue()
    application.refresh_from_db()
    assert application.result["scoring_version"] == "2"
    assert application.result["bar"] == 62.5
    assert 0 <= application.result["p_above"] <= 1


def test_rescore_applications_task_runs_the_service(session, interviewer):
    rate_all(session, interviewer, 2)
    type(session.application).objects.filter(pk=session.application_id).update(result=None)
    assert tasks.rescore_applications.apply(args=[[session.application_id]]).get() == 1
    session.application.refresh_from_db()
    assert session.application.result["label"] in ("below_bar", "borderline", "incomplete")
