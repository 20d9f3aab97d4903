"""A line break in a candidate's name (or a position's title) must not make their e-mail
fail for good, nor inject a header: header values are made safe in one helper."""

import pytest
from django.core import mail

from apps.interviews.models import Candidate, CandidateSession, Position
from apps.interviews.services import notifications
from apps.outbox.email import header_safe

pytestmark = pytest.mark.django_db

INJECTION = "Tom\r\nBcc: victim@example.com"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Tom\r\nBcc: victim@example.com", "Tom Bcc: victim@example.com"),
        ("a\nb\rc", "a b c"),
        ("tab\there\x00nul", "tab here nul"),
        ("line\u2028sep\x85next", "line sep next"),
        ("  plain  name ", "plain name"),
    ],
)
def test_header_values_are_put_on_one_line(raw, safe):
    assert header_safe(raw) == safe


def test_invitation_email_goes_out_when_the_title_holds_a_line_break(make_invitation, th_position):
    Position.objects.filter(pk=th_position.pk).update(title="MES Engineer\r\nBcc: x@example.com")
    make_invitation()
    (message,) = mail.outbox
    assert message.subject == "Your take-home assignment: MES Engineer Bcc: x@example.com"
    assert message.bcc == [] and "Bcc" not in message.message()


def test_submission_email_goes_out_when_the_name_holds_a_line_break(
    make_invitation, django_capture_on_commit_callbacks
):
    created = make_invitation()
    Candidate.objects.filter(pk=created.invitation.session.candidate_id).update(name=INJECTION)
    mail.outbox.clear()
    session = CandidateSession.objects.get(pk=created.invitation.session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(notifications.submission_notify(session=session).payload["to"]) == 2
    (message,) = mail.outbox
    assert "\r" not in message.subject and "\n" not in message.subject
    assert message.subject.startswith("Take-home submitted: Tom Bcc: victim@example.com for")
    headers = message.message()
    assert "Bcc" not in headers
    assert headers["To"].count("@") == 2
