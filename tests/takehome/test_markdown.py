"""Answers may use Markdown, rendered for interviewers by markdown-it-py and cleaned by nh3:
nothing a candidate types can run script in an interviewer's browser."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from apps.interviews.templatetags.answer_markdown import render_markdown

from .conftest import submit


def test_markdown_formats_lists_emphasis_code_and_tables():
    html = render_markdown(
        "**MES** vs *MOM*\n\n- dispatch\n- track\n\n`ISA-95`\n\n|a|b|\n|-|-|\n|1|2|"
    )
    assert "<strong>MES</strong>" in html and "<em>MOM</em>" in html
    assert "<li>dispatch</li>" in html and "<code>ISA-95</code>" in html
    assert "<table>" in html and "<td>1</td>" in html


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
    ],
)
def test_script_event_handlers_and_javascript_links_never_survive(evil):
    tags = _tags(render_markdown(f"Answer {evil} end"))
    assert {tag for tag, _ in tags} <= {"p", "a"}
    for _tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs)
        assert attrs.get("href", "https:").split(":")[0].lower() in ("https", "http", "mailto")


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    """Every element the browser would build from ``html``, with its attributes."""
    parser = _TagCollector()
    parser.feed(html)
    return parser.tags


def test_safe_links_get_noopener_and_nofollow():
    html = render_markdown("[docs](https://example.com/isa95)")
    assert 'href="https://example.com/isa95"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_the_template_filter_is_safe_html():
    out = Template("{% load answer_markdown %}{{ text|answer_markdown }}").render(
        Context({"text": "**bold** <b>raw</b>"})
    )
    assert "<strong>bold</strong>" in out and "&lt;b&gt;raw&lt;/b&gt;" in out


@pytest.mark.django_db
def test_the_scorecard_shows_the_answer_formatted_and_escaped(started, interviewer):
    client, created = started
    item = created.invitation.session.items.order_by("order").first()
    text = "**Dispatch** first\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))"
    client.post(f"/takehome/answers/{item.pk}/", {"text": text, "version": "0"})
    submit(client, created)
    staff = Client()
    staff.force_login(interviewer)
    html = staff.get(reverse("interviews:scorecard", args=[item.session_id])).content.decode()
    assert "<strong>Dispatch</strong>" in html
    start = html.index('class="answer-text"')
    answer = html[start : html.index("</blockquote>", start)]
    assert "&lt;script&gt;" in answer and "<script" not in answer
    assert 'href="javascript' not in html
