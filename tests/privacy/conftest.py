"""A candidate with everything the product can hold about them, built through the services:
a live interview rated by two interviewers with notes, scratch notes and a correction, a
take-home with an answer and an attached file, pipeline and client decisions, a shortlist and a
share link that was opened, pending e-mails, a pending webhook delivery, a Greenhouse order and
an error report naming them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps import outbox
from apps.accounts.models import Role
from apps.ats.models import (
    GreenhouseErrorReport,
    GreenhouseOrder,
    KomboConnection,
    KomboOrder,
    WebhookEndpoint,
)
from apps.ats.webhooks.outbox import on_event
from apps.fairness import services as fairness
from apps.interviews import services
from apps.interviews.models import Answer, Application, Candidate, CandidateSession
from apps.interviews.services import attachments, invitations
from apps.shortlists import services as share
from tests.factories import MembershipFactory, make_kit, make_position

NAME = "Priya Nandakumar"
EMAIL = "priya.nandakumar@example.com"
PHONE = "+44 20 7946 0123"
ANSWER = "At Plant Seven we traced every resin lot through the genealogy tables by hand"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def interviewer2(org):
    return MembershipFactory(organization=org, role=Role.INTERVIEWER, user__username="ines").user


@dataclass
class Everything:
    candidate: Candidate
    application: Application
    live: CandidateSession
    takehome: CandidateSession
    answer: Answer


def rate(session, user, value: int, *, notes: str = "", scratch: str = ""):
    card = services.scorecard_for(session=session, interviewer=user)
    data = services.ScorecardData()
    for item in session.items.all():
        for crit in item.rubric:
            data.ratings[(item.pk, crit["key"])] = value
        data.notes[item.pk] = notes
        data.scratch[item.pk] = scratch
    data.recommendation = "yes"
    data.overall_notes = notes
    services.scorecard_save_draft(scorecard=card, data=data)
    return services.scorecard_submit(scorecard=card)


def build_everything(org, recruiter, org_admin, interviewer, interviewer2, *, name=NAME,
                     email=EMAIL, phone=PHONE, answer_text=ANSWER) -> Everything:  # fmt: skip
    kit = make_kit(3, organization=None)
    position = make_position(org, kit, written=True, title="MES Engineer")
    candidate = services.candidate_create(organization=org, name=name, email=email, phone=phone)
    services.candidate_link_external(candidate=candidate, ats="greenhouse", external_id="GH-99812")
    candidate.refresh_from_db()

    live = services.session_create(
        position=position, candidate=candidate, interviewers=[interviewer, interviewer2],
        created_by=recruiter,
    )  # fmt: skip
    CandidateSession.objects.filter(pk=live.pk).update(location=f"Room 4, ask for {name}")
    first = rate(live, interviewer, 3, notes=f"{name} knew ISA-95 well", scratch=f"call {phone}")
    rate(live, interviewer2, 2, notes=f"{name} was vague on genealogy")
    item = live.items.order_by("order").first()
    services.scorecard_correct(
        scorecard=first,
        corrected_by=org_admin,
        reason=f"{name} clarified by e-mail",
        ratings={(item.pk, item.rubric[0]["key"]): 4},
    )

    created = invitations.invitation_create(
        position=position, candidate=candidate, expires_at=timezone.now() + timedelta(days=3),
        created_by=recruiter, email=email, instructions=f"Dear {name}, take your time.",
        interviewers=[interviewer], contact="rita@acme.example",
    )  # fmt: skip
    invitation = created.invitation
    invitations.takehome_start(invitation=invitation)
    first_item = invitation.session.items.order_by("order").first()
    invitations.answer_save(
        invitation=invitation, item_id=first_item.pk, text=answer_text, version=0
    )
    attachments.attachment_save(
        invitation=invitation, item_id=first_item.pk, upload=SimpleUploadedFile("cv.png", PNG)
    )
    invitations.takehome_submit(invitation=invitation)
    answer = Answer.objects.get(item=first_item)

    application = Application.objects.get(candidate=candidate)
    services.application_decide(
        application=application, state="advanced", reason=f"{name} to the client",
        decided_by=recruiter,
    )  # fmt: skip
    shortlist = share.shortlist_create(
        position=position, title="For Contoso", application_ids=[application.pk],
        created_by=recruiter,
    )  # fmt: skip
    shortlist.entries.update(summary=f"{name}: strong on genealogy, call {phone}")
    link = share.link_create(
        organization=org, contact_name="Carl Client", contact_email="carl@contoso.example",
        shortlist=shortlist, created_by=recruiter,
    ).link  # fmt: skip
    share.access_record(link=link, kind="view", address="203.0.113.9")
    share.client_decide(
        link=link, application=application, decision="interview", comment=f"Meet {name} soon"
    )
    report_link = share.link_create(
        organization=org, contact_name="Carl Client", application=application,
        contact_email="carl@contoso.example", created_by=recruiter,
    ).link  # fmt: skip
    share.access_record(link=report_link, kind="pdf", address="203.0.113.9")

    outbox.enqueue(
        "email",
        {"to": [email], "subject": f"Hello {name}", "body": f"Dear {name}, see you."},
        organization=org,
        send_after=timezone.now() + timedelta(hours=1),
    )
    WebhookEndpoint.objects.create(
        organization=org, url="https://hooks.example.com/ib", events=["candidate.updated"],
        secret="whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0",
    )  # fmt: skip
    on_event("candidate.updated", candidate)
    GreenhouseOrder.objects.create(
        organization=org, session=invitation.session, partner_test_id="t-1",
        request_payload={"candidate": {"name": name, "email": email, "phone": phone}},
    )  # fmt: skip
    GreenhouseErrorReport.objects.create(
        organization=org, api_call="send_test", candidate_email=email,
        errors=[{"message": f"duplicate candidate {name}"}],
    )  # fmt: skip
    connection = KomboConnection.objects.create(
        organization=org, integration_id="workday:abc", api_key_encrypted="x",
        webhook_secret_encrypted="y",
    )  # fmt: skip
    KomboOrder.objects.create(
        organization=org, connection=connection, kombo_order_id="k-1", package_id="p-1",
        session=live, payload={"candidate": {"name": name, "email": email}},
    )  # fmt: skip
    fairness.record(candidate=candidate, answers={"sex": "female", "age": "under_40"})
    return Everything(candidate, application, live, invitation.session, answer)


@pytest.fixture
def everything(org, recruiter, org_admin, interviewer, interviewer2) -> Everything:
    return build_everything(org, recruiter, org_admin, interviewer, interviewer2)
