"""Reporting a problem with a shipped question: any member files it, the bank's editors get it
(the Django admin and, when set, e-mail through the outbox), the tenant walls hold."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.bank.models import QuestionReport
from apps.outbox.models import OutboxMessage
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

TEXT = "Anchor 3 says MES sits at Level 4; ISA-95 places it at Level 3 (DOMAIN.md section 1)."


@pytest.fixture
def shipped():
    return QuestionFactory(key="shipped-dispatch", organization=None)


def _url(question) -> str:
    return reverse("bank:question_report", args=[question.key])


def test_an_interviewer_reports_a_shipped_question_once_and_the_editors_hear_of_it(
    client, org, interviewer, shipped, settings
):
    settings.BANK_EDITORS_EMAIL = ["bank@interviewbank.example", "editor2@interviewbank.example"]
    client.force_login(interviewer)
    detail = client.get(reverse("bank:question_detail", args=[shipped.key])).content.decode()
    assert _url(shipped) in detail
    data = {"text": TEXT, "form_key": "r" * 24}
    first = client.post(_url(shipped), data)
    again = client.post(_url(shipped), data)  # a double click
    assert first.status_code == again.status_code == 302
    report = QuestionReport.objects.get()
    assert (report.organization, report.question, report.reported_by) == (org, shipped, interviewer)
    assert report.text == TEXT and report.resolved_at is None
    email = OutboxMessage.objects.get(kind="email")
    assert email.payload["to"] == ["bank@interviewbank.example", "editor2@interviewbank.example"]
    assert email.payload["subject"] == f"Bank report: {shipped.key} v{shipped.version}"
    assert (
        TEXT in email.payload["body"]
        and f"/admin/bank/questionreport/{report.pk}/" in (email.payload["body"])
    )
    assert AuditEntry.objects.get(event="question.reported").additional_data["key"] == shipped.key


def test_without_editors_configured_the_report_waits_in_the_admin(
    client, interviewer, shipped, settings
):
    settings.BANK_EDITORS_EMAIL = []
    client.force_login(interviewer)
    assert client.post(_url(shipped), {"text": TEXT, "form_key": "s" * 24}).status_code == 302
    assert QuestionReport.objects.count() == 1
    assert not OutboxMessage.objects.exists()


def test_a_too_short_report_is_a_400_and_files_nothing(client, interviewer, shipped):
    client.force_login(interviewer)
    response = client.post(_url(shipped), {"text": "bad", "form_key": "t" * 24})
    assert response.status_code == 400
    assert "Ensure this value has at least 10 characters" in response.content.decode()
    assert not QuestionReport.objects.exists()


def test_an_own_or_another_organizations_question_is_a_404(client, org, other_org, interviewer):
    client.force_login(interviewer)
    ours = QuestionFactory(key=f"{org.slug}-own", organization=org)
    theirs = QuestionFactory(key=f"{other_org.slug}-own", organization=other_org)
    for question in (ours, theirs):
        assert client.get(_url(question)).status_code == 404
        assert client.post(_url(question), {"text": TEXT}).status_code == 404
    assert not QuestionReport.objects.exists()


def test_staff_see_open_reports_in_the_admin(admin_client, org, interviewer, shipped):
    from apps.bank import authoring

    authoring.question_report(organization=org, question=shipped, user=interviewer, text=TEXT)
    page = admin_client.get("/admin/bank/questionreport/")
    assert page.status_code == 200 and shipped.key in page.content.decode()


def test_the_staff_list_of_reports_costs_the_same_queries_at_1_and_50(
    admin_client, org, interviewer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.bank import authoring

    url = "/admin/bank/questionreport/"

    def add() -> None:
        question = QuestionFactory(organization=None)
        authoring.question_report(organization=org, question=question, user=interviewer, text=TEXT)

    def count() -> tuple[int, int]:
        admin_client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            page = admin_client.get(url)
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode().count("/change/")

    add()
    one, rows_one = count()
    for _ in range(49):
        add()
    fifty, rows_fifty = count()
    assert (rows_one, rows_fifty) == (1, 50)  # every report listed
    assert fifty == one
    with django_assert_max_num_queries(one):
        admin_client.get(url)
