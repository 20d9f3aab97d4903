"""Take-home answers under real PostgreSQL concurrency: compare-and-swap saves, submits and
deadline races. Nothing acknowledged is ever lost."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.bank.models import Question
from apps.interviews import services
from apps.interviews.models import Answer, Invitation
from apps.interviews.services import invitations
from tests.factories import OrganizationFactory, make_kit

from .test_scorecard_concurrency import _run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invitation(require_postgres):
    org = OrganizationFactory()
    kit = make_kit(2)
    Question.objects.filter(kit_items__kit=kit).update(kind="scenario")
    position = services.position_create(
        organization=org, created_by=None, client_company="C", title="MES Engineer",
        track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    candidate = services.candidate_create(organization=org, name="N", email="n@example.com")
    created = invitations.invitation_create(
        position=position, candidate=candidate, expires_at=timezone.now() + timedelta(days=1)
    )
    return invitations.takehome_start(invitation=created.invitation)


def _item(invitation):
    return invitation.session.items.order_by("order").first()


def test_twenty_concurrent_saves_on_one_version_one_wins(invitation):
    item = _item(invitation)

    def save(i):
        try:
            invitations.answer_save(
                invitation=invitation, item_id=item.pk, text=f"text {i}", version=0
            )
            return ("ok", i)
        except invitations.SaveRefused as refused:
            return (refused.reason, i)

    results, errors = _run_in_threads(20, save)
    assert errors == []
    wins = [i for status, i in results if status == "ok"]
    assert len(wins) == 1
    conflict = invitations.SaveRefused.Reason.CONFLICT
    assert [status for status, _ in results if status != "ok"] == [conflict] * 19
    answer = Answer.objects.get(item=item)
    assert (answer.text, answer.version) == (f"text {wins[0]}", 1)


def test_no_acknowledged_text_is_ever_missing(invitation):
    """Twenty writers each append their own lines with read-modify-write and retry on conflict:
    the final text holds every line whose save was acknowledged."""
    item = _item(invitation)
    acknowledged = []
    lock = threading.Lock()

    def writer(i):
        for n in range(5):
            line = f"writer {i} line {n}"
            while True:
                current = Answer.objects.get(item=item)
                try:
                    invitations.answer_save(
                        invitation=invitation,
                        item_id=item.pk,
                        text=(current.text + "\n" + line).strip(),
                        version=current.version,
                    )
                except invitations.SaveRefused as refused:
                    assert refused.reason == invitations.SaveRefused.Reason.CONFLICT
                    continue
                with lock:
                    acknowledged.append(line)
                break

    _, errors = _run_in_threads(20, writer)
    assert errors == []
    final = Answer.objects.get(item=item)
    assert final.version == len(acknowledged) == 100
    assert set(final.text.splitlines()) == set(acknowledged)


def test_twenty_concurrent_submits_make_one_submission(invitation):
    results, errors = _run_in_threads(
        20, lambda i: invitations.takehome_submit(invitation=invitation).submitted_at
    )
    assert errors == []
    assert len(set(results)) == 1
    assert Invitation.objects.get(pk=invitation.pk).submitted_at == results[0]


def test_saves_racing_the_deadline_never_land_late(invitation, settings):
    settings.TAKEHOME_GRACE_SECONDS = 0
    item = _item(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(milliseconds=400)
    )
    end = Invitation.objects.get(pk=invitation.pk).expires_at
    acked = []
    lock = threading.Lock()

    def writer(i):
        stop = time.monotonic() + 1.5
        while time.monotonic() < stop:
            current = Answer.objects.get(item=item)
            try:
                saved = invitations.answer_save(
                    invitation=invitation, item_id=item.pk, text=f"{i}@{time.monotonic()}",
                    version=current.version,
                )  # fmt: skip
            except invitations.SaveRefused as refused:
                if refused.reason == invitations.SaveRefused.Reason.TIME_UP:
                    return
                continue
            with lock:
                acked.append((saved.saved_at, saved.text))

    _, errors = _run_in_threads(8, writer)
    assert errors == []
    assert acked, "some saves should land before the deadline"
    assert all(at <= end for at, _ in acked)
    final = Answer.objects.get(item=item)
    assert final.text == max(acked)[1]  # the last acknowledged text is what stays
    assert connection.vendor == "postgresql"
