"""Small traps of everyday use (issue 11), each pinned by a test: `load_demo` finds its rows by
a demo key, mistyped candidate links get the friendly page, the "Gone" log line is redacted,
and no page shows internal document names, source tags or slugs; people appear by name."""

import io
import logging
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.bank.models import Kit, Question
from apps.interviews import services
from apps.interviews.models import Application, CandidateSession, Invitation, Position

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(r"SCORING\.md|DOMAIN\.md|ARCHITECTURE\.md|\[S\d+[a-z]?\]")


class _Text(HTMLParser):
    """The text a person reads: element text, not tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_load_demo_twice_leaves_a_users_own_mes_engineer_brief_alone(shipped_bank, org, recruiter):
    call_command("load_demo", stdout=io.StringIO())
    demo = Position.objects.get(demo_key="MES Engineer")
    kit = Kit.objects.filter(organization__isnull=True, take_home=False).first()
    mine = services.position_create(
        organization=demo.organization, created_by=recruiter, client_company="Mine",
        title="MES Engineer", track=kit.track, level=kit.level, job_description="", kit=kit,
    )  # fmt: skip
    counts = (Position.objects.count(), Application.objects.count())
    call_command("load_demo", stdout=io.StringIO())  # the second `make run` crashed here
    assert (Position.objects.count(), Application.objects.count()) == counts
    mine.refresh_from_db()
    assert mine.demo_key == "" and mine.client_company == "Mine"
    assert not Application.objects.filter(position=mine).exists()


def test_a_user_brief_made_before_the_demo_does_not_stop_the_demo(shipped_bank, org, recruiter):
    call_command("load_demo", stdout=io.StringIO())
    demo = Position.objects.get(demo_key="MES Engineer")
    # A fresh database where a user wrote the brief before the demo ran: the demo adds its own.
    Application.objects.filter(position=demo).update(position=demo)
    Position.objects.filter(pk=demo.pk).update(demo_key="")
    call_command("load_demo", stdout=io.StringIO())
    assert Position.objects.filter(demo_key="MES Engineer").count() == 1
    assert Position.objects.filter(title="MES Engineer").count() == 2


def test_a_mistyped_candidate_link_gets_the_friendly_page(client, settings):
    settings.DEBUG = False
    cut_short = client.get("/t/abcdefghijklmnopqrstuv/")
    assert cut_short.status_code == 404
    body = cut_short.content.decode()
    assert "We could not find this link" in body and "Open the link from your invitation" in body
    mangled = client.get("/t/abc/def/", follow=True)
    assert mangled.status_code == 404
    assert "Page not found" in mangled.content.decode()
    assert "<h1>Not Found</h1>" not in mangled.content.decode()


def test_the_gone_line_is_redacted_by_every_handler(client, settings, make_revoked_link):
    """Under `make run` (DEBUG on) Django's own console handler printed "Gone: /t/<token>/"."""
    settings.DEBUG = True
    token = make_revoked_link()
    streams, seen = [], set()
    for name in ("django.request", "django", ""):
        for handler in logging.getLogger(name).handlers:
            if type(handler) is logging.StreamHandler and id(handler) not in seen:
                seen.add(id(handler))
                captured = io.StringIO()
                streams.append((handler, handler.setStream(captured), captured))
    try:
        assert client.get(f"/t/{token}/").status_code == 410
    finally:
        for handler, old, _ in streams:
            handler.setStream(old)
    printed = "".join(c.getvalue() for _, _, c in streams)
    assert "Gone: /t/[redacted]/" in printed
    assert token not in printed
    for name in ("django", "django.request"):
        logger = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if type(handler) is not logging.StreamHandler:
                    continue  # pytest's capture handlers print nothing
                kinds = [type(f).__name__ for f in handler.filters]
                assert "RedactTokens" in kinds, (logger.name, handler)
            logger = logger.parent if logger.propagate else None


@pytest.fixture
def make_revoked_link(org, recruiter):
    from datetime import timedelta

    from django.utils import timezone

    from apps.interviews.services import invitations
    from tests.factories import make_kit, make_position

    def make() -> str:
        position = make_position(org, make_kit(2), written=True)
        candidate = services.candidate_create(organization=org, name="Tom", email="t@example.com")
        created = invitations.invitation_create(
            position=position, candidate=candidate, expires_at=timezone.now() + timedelta(days=2)
        )
        invitations.invitation_revoke(invitation=created.invitation)
        return created.token

    return make


def _pages(client, session: CandidateSession, application: Application) -> dict[str, str]:
    kit = Kit.objects.filter(organization__isnull=True).first()
    question = Question.objects.filter(organization__isnull=True).first()
    urls = [
        reverse("home"),
        reverse("interviews:position_list"),
        reverse("interviews:position_detail", args=[session.position_id]),
        reverse("interviews:position_edit", args=[session.position_id]),
        reverse("interviews:candidate_list"),
        reverse("interviews:candidate_detail", args=[session.candidate_id]),
        reverse("interviews:session_detail", args=[session.pk]),
        reverse("interviews:debrief", args=[session.pk]),
        reverse("interviews:application_detail", args=[application.pk]),
        reverse("interviews:my_sessions"),
        reverse("interviews:invitation_create", args=[session.position_id]),
        reverse("bank:question_list"),
        reverse("bank:question_detail", args=[question.key]),
        reverse("bank:kit_list"),
        reverse("bank:kit_detail", args=[kit.key]),
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def test_no_page_shows_document_names_source_tags_or_slugs(shipped_bank, client):
    call_command("load_demo", stdout=io.StringIO())
    session = (
        CandidateSession.objects.filter(status=CandidateSession.Status.SCORED)
        .select_related("position__kit")
        .first()
    )
    application = session.application
    # The role brief's check shows the phrasebook's reasons: without their source tags.
    position = session.position
    client.post(reverse("login"), {"username": "recruiter", "password": "demo-pass-2026"})
    checked = client.post(
        reverse("interviews:position_edit", args=[position.pk]),
        {"title": position.title, "job_description": position.job_description, "check": "1"},
    ).content.decode()
    pages = _pages(client, session, application)
    pages["brief check"] = checked
    slugs = {
        session.kit_key,
        position.kit.key,
        *session.items.values_list("question_key", flat=True),
    }
    for url, html in pages.items():
        text = visible_text(html)
        assert not INTERNAL.search(text), (url, INTERNAL.search(text).group(0))
        shown = [s for s in slugs if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
        assert not shown, (url, shown)
        # People appear by display name, never by login name.
        assert "Signed in as recruiter" not in text


def test_people_appear_by_display_name(shipped_bank, client):
    call_command("load_demo", stdout=io.StringIO())
    session = CandidateSession.objects.filter(status=CandidateSession.Status.SCORED).first()
    client.post(reverse("login"), {"username": "admin", "password": "demo-pass-2026"})
    home = visible_text(client.get(reverse("home")).content.decode())
    assert "Signed in as Ada Admin" in home
    detail = visible_text(
        client.get(reverse("interviews:session_detail", args=[session.pk])).content.decode()
    )
    names = [u.get_full_name() for u in session.interviewers.all()]
    assert names and all(name in detail for name in names)
    debrief = visible_text(
        client.get(reverse("interviews:debrief", args=[session.pk])).content.decode()
    )
    usernames = [u.get_username() for u in session.interviewers.all()]
    assert all(f"{u}:" not in debrief for u in usernames)
    assert Invitation.objects.exists()
