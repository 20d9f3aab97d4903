"""Erasure (issue 14): a candidate's personal data leaves every table in one transaction, the
anonymous ratings stay with the same item statistics and agreement, a legal hold refuses it
and changes nothing, and a second erasure is a no-op."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from apps.ats.models import WebhookDelivery
from apps.fairness.models import SelfReport
from apps.interviews import services
from apps.interviews.models import (
    Answer,
    Application,
    ApplicationDecision,
    Candidate,
    CandidateSession,
    Invitation,
    ItemNote,
    Rating,
    Scorecard,
)
from apps.outbox.models import OutboxMessage
from apps.privacy import services as privacy
from apps.scoring.agreement import krippendorff_alpha
from apps.scoring.items import item_statistics
from apps.shortlists.models import ClientDecision, ShareAccess, ShareLink, ShortlistEntry

from .conftest import ANSWER, EMAIL, NAME, PHONE, rate

pytestmark = pytest.mark.django_db
NEEDLES = [NAME, EMAIL, PHONE, ANSWER, "GH-99812"]


def rows_mentioning(needles: list[str]) -> list[tuple[str, str, object]]:
    """Every (table, column, pk) in the whole database whose text, JSON (as text) or file
    name contains any needle, case-insensitively."""
    lowered = [n.lower() for n in needles]
    hits = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.FileField
            )
        ]
        for f in fields:
            for pk, value in model._base_manager.values_list("pk", f.attname):
                if value in (None, "", {}, []):
                    continue
                if isinstance(f, models.JSONField):
                    text = json.dumps(value, ensure_ascii=False) + json.dumps(value)
                else:
                    text = str(value)
                if any(n in text.lower() for n in lowered):
                    hits.append((model._meta.db_table, f.attname, pk))
    return hits


def statistics_inputs(org):
    """What item statistics and calibration read: the Rating rows, the per-candidate item
    means (``item_statistics``) and Krippendorff's alpha of each session's panel."""
    ratings = list(
        Rating.objects.filter(scorecard__session__organization=org)
        .order_by("pk")
        .values_list("pk", "scorecard_id", "item_id", "criterion_key", "value")
    )
    per_item: dict = defaultdict(lambda: defaultdict(list))
    panels: dict = defaultdict(lambda: defaultdict(dict))
    for r in Rating.objects.filter(scorecard__session__organization=org).select_related(
        "item", "scorecard__session"
    ):
        session = r.scorecard.session
        per_item[session.candidate_id][r.item.question_key].append(r.value)
        panels[session.pk][r.scorecard.interviewer_id][(r.item_id, r.criterion_key)] = r.value
    responses = {c: {q: sum(v) / len(v) for q, v in items.items()} for c, items in per_item.items()}
    alphas = {}
    for session_id, coders in panels.items():
        units = sorted({u for values in coders.values() for u in values})
        data = [[values.get(u) for u in units] for values in coders.values()]
        alphas[session_id] = krippendorff_alpha(data)
    return ratings, item_statistics(responses), alphas


def test_erasure_leaves_no_personal_data_in_any_table_and_keeps_the_statistics(
    everything, org, org_admin, interviewer, interviewer2, media_root
):
    # A second candidate on the same position, so the item statistics have something to say.
    other = services.candidate_create(organization=org, name="Omar Other", email="omar@x.example")
    session = services.session_create(
        position=everything.live.position, candidate=other, interviewers=[interviewer, interviewer2]
    )
    rate(session, interviewer, 1)
    rate(session, interviewer2, 2)
    assert rows_mentioning(NEEDLES), "the fixture must put the data somewhere"
    files = [p for p in Path(media_root).rglob("*") if p.is_file()]
    assert len(files) == 1
    before = statistics_inputs(org)
    pending_emails = OutboxMessage.objects.filter(status="pending").count()
    assert pending_emails >= 2  # the invitation e-mail and the prepared one

    result = privacy.erase_candidate(
        candidate=everything.candidate, actor=org_admin, reason=f"{NAME} asked by e-mail"
    )

    assert not result.already
    assert rows_mentioning(NEEDLES) == []
    assert statistics_inputs(org) == before
    candidate = Candidate.objects.get(pk=everything.candidate.pk)
    assert candidate.name == f"Erased candidate #{candidate.pk}"
    assert candidate.email == f"erased-{candidate.pk}@erased.invalid"
    assert candidate.erased_at is not None and candidate.phone == "" and not candidate.external_ids
    # Personal free text gone, anonymous inputs kept.
    assert not Answer.objects.get(pk=everything.answer.pk).text
    assert not Answer.objects.get(pk=everything.answer.pk).attachment
    assert set(ItemNote.objects.values_list("notes", "scratch")) == {("", "")}
    assert set(Scorecard.objects.filter(session__candidate=candidate).values_list("notes")) == {
        ("",)
    }
    assert set(Scorecard.objects.values_list("recommendation", flat=True)) == {"yes"}
    assert set(ApplicationDecision.objects.values_list("reason", flat=True)) == {""}
    assert set(ClientDecision.objects.values_list("comment", flat=True)) == {""}
    assert ClientDecision.objects.get().decision == "interview"
    assert not ShortlistEntry.objects.filter(application__candidate=candidate).exists()
    assert ShareAccess.objects.count() == 2  # the access log holds no personal data
    report_link = ShareLink.objects.get(application=everything.application)
    assert report_link.revoked_at is not None
    application = Application.objects.get(pk=everything.application.pk)
    assert application.state == "advanced" and application.result is not None
    assert Invitation.objects.get().email == candidate.email
    assert Invitation.objects.get().revoked_at is not None
    # Nothing unsent about them goes out; the files are deleted once committed.
    # (Only the shortlist's own link e-mail is left: it names no one, and the shortlist no
    # longer lists the candidate.)
    assert list(OutboxMessage.objects.filter(status="pending").values_list("kind", flat=True)) == [
        "shortlists.share_email"
    ]
    cancelled = OutboxMessage.objects.filter(last_error=privacy.CANCELLED)
    assert cancelled.count() == pending_emails - 1
    assert set(cancelled.values_list("kind", flat=True)) >= {"email", "takehome.invitation_email"}
    # The candidate's own "candidate.updated" delivery is cancelled; Omar's still goes.
    pending = WebhookDelivery.objects.filter(status="pending")
    assert [("Omar Other" in d.body) for d in pending] == [True]
    assert WebhookDelivery.objects.filter(status="failed").count() == 1
    assert result.counts["outbox_cancelled"] == pending_emails - 1
    assert result.counts["webhooks_cancelled"] == 1
    assert result.counts["files"] == 1
    assert result.counts["self_reports"] == 2
    assert not SelfReport.objects.filter(candidate=candidate).exists()
    assert (
        result.counts["answers"]
        == Answer.objects.filter(item__session__candidate=candidate).count()
    )


def test_files_are_deleted_after_commit(everything, org_admin, media_root,
                                        django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="request")
    assert [p for p in Path(media_root).rglob("*") if p.is_file()] == []


def test_a_legal_hold_refuses_erasure_and_changes_nothing(everything, org_admin, media_root):
    privacy.legal_hold_set(
        application=everything.application, by=org_admin, reason="Tribunal claim 2026/114"
    )
    before = rows_mentioning(NEEDLES)
    outbox_before = list(OutboxMessage.objects.order_by("pk").values_list("status", "payload"))

    with pytest.raises(privacy.ErasureRefused) as exc:
        privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="request")

    message = str(exc.value)
    assert f"Application #{everything.application.pk}" in message
    assert "Tribunal claim 2026/114" in message
    assert rows_mentioning(NEEDLES) == before
    assert list(OutboxMessage.objects.order_by("pk").values_list("status", "payload")) == (
        outbox_before
    )
    assert Candidate.objects.get(pk=everything.candidate.pk).erased_at is None
    assert len([p for p in Path(media_root).rglob("*") if p.is_file()]) == 1


def test_lifting_the_hold_allows_erasure(everything, org_admin):
    privacy.legal_hold_set(application=everything.application, by=org_admin, reason="Claim")
    privacy.legal_hold_clear(application=everything.application, by=org_admin)
    result = privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="x")
    assert result.candidate.erased_at is not None


def test_a_second_erasure_is_a_no_op(everything, org_admin):
    first = privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="x")
    candidate = Candidate.objects.get(pk=everything.candidate.pk)
    second = privacy.erase_candidate(candidate=candidate, actor=org_admin, reason="again")
    assert second.already and second.counts == {}
    assert Candidate.objects.get(pk=candidate.pk).erased_at == first.candidate.erased_at


def test_erasure_touches_no_other_candidate_or_organization(
    everything, org, other_org, org_admin, interviewer
):
    # Same name and e-mail in another organization, and another candidate of ours.
    twin = services.candidate_create(organization=other_org, name=NAME, email=EMAIL, phone=PHONE)
    ours = services.candidate_create(organization=org, name="Omar Other", email="omar@x.example")
    privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="x")
    twin.refresh_from_db()
    ours.refresh_from_db()
    assert (twin.name, twin.email, twin.phone, twin.erased_at) == (NAME, EMAIL, PHONE, None)
    assert (ours.name, ours.erased_at) == ("Omar Other", None)


def test_a_hold_needs_a_reason(everything, org_admin):
    with pytest.raises(privacy.ValidationError) as exc:
        privacy.legal_hold_set(application=everything.application, by=org_admin, reason="  ")
    assert "reason" in exc.value.message_dict
    assert not Application.objects.get(pk=everything.application.pk).legal_hold


def test_the_ndjson_exports_stream_placeholders_after_erasure(everything, org, org_admin):
    from rest_framework.test import APIClient

    from apps.ats.models import OrganizationAPIKey

    _, raw = OrganizationAPIKey.objects.create_key(name="ATS", organization=org)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    privacy.erase_candidate(candidate=everything.candidate, actor=org_admin, reason="x")
    for url in ["/api/v1/export/sessions.ndjson", "/api/v1/export/applications.ndjson"]:
        response = api.get(url)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        assert f"Erased candidate #{everything.candidate.pk}" in body
        assert NAME not in body and EMAIL not in body


def test_a_scheduled_interview_is_cancelled_and_the_calendar_told_without_the_name(
    everything, org, org_admin, interviewer, django_capture_on_commit_callbacks
):
    from django.core import mail

    from apps.interviews.services import scheduling

    interviewer.email = "ivan@example.com"
    interviewer.save()
    upcoming = services.session_create(
        position=everything.live.position,
        candidate=everything.candidate,
        interviewers=[interviewer],
    )
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.session_schedule(
            session=upcoming,
            scheduled_at=timezone.now() + timedelta(days=2),
            location="Room 4",
        )
    assert [m.subject for m in mail.outbox if m.subject.startswith("Interview ")]
    results_before = dict(Application.objects.values_list("pk", "result"))

    with django_capture_on_commit_callbacks(execute=True):
        result = privacy.erase_candidate(
            candidate=everything.candidate, actor=org_admin, reason="x"
        )

    upcoming.refresh_from_db()
    assert upcoming.status == CandidateSession.Status.CANCELLED
    assert result.counts["sessions_cancelled"] == 1
    # Sessions that happened are kept as they were, and no result is recomputed.
    everything.live.refresh_from_db()
    assert everything.live.status != CandidateSession.Status.CANCELLED
    assert dict(Application.objects.values_list("pk", "result")) == results_before
    (cancel,) = [m for m in mail.outbox if m.subject.startswith("Cancelled: interview")]
    assert cancel.to == ["ivan@example.com"]
    text = cancel.subject + cancel.body + str(cancel.attachments[0][1])
    assert f"Erased candidate #{everything.candidate.pk}" in cancel.body
    for needle in NEEDLES:
        assert needle.lower() not in text.lower(), needle
