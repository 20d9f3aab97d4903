"""The compare page and shortlists (issue 12): candidates side by side, grouped when their
bands overlap heavily and never ranked inside a group; picking a shortlist with summaries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.interviews.verdicts import Verdict
from apps.shortlists.models import Shortlist, ShortlistEntry
from apps.shortlists.selectors import heavy_overlap, overlap_groups

pytestmark = pytest.mark.django_db


def row(name, band):
    class App:
        pk = hash(name)

    return {
        "name": name,
        "application": App,
        "verdict": Verdict.from_result({"label": "borderline", "band": list(band), "bar": 62.5}),
    }


def test_heavy_overlap_is_half_the_narrower_band():
    assert heavy_overlap((60, 80), (70, 90))  # 10 of 20
    assert not heavy_overlap((60, 80), (71, 90))  # 9 of 19
    assert not heavy_overlap((20, 40), (60, 80))


def test_overlapping_candidates_are_grouped_and_listed_alphabetically():
    rows = [row("Zoe", (62, 82)), row("Adam", (60, 80)), row("Low", (10, 30)), row("Mia", (61, 79))]
    unscored = {"name": "Unscored", "application": row("x", (0, 1))["application"], "verdict": None}
    groups = overlap_groups([*rows, unscored])
    assert [[r["name"] for r in g] for g in groups] == [
        ["Adam", "Mia", "Zoe"],  # alphabetical, not by band
        ["Low"],
        ["Unscored"],
    ]


def test_compare_page_shows_each_candidate_against_the_bar(
    client, recruiter, position, make_application
):
    make_application("Bob Builder", band=(58.0, 79.0), p_above=0.74, critical=True)
    make_application("Ada Lovelace", band=(60.0, 80.0), p_above=0.81)
    make_application("Cleo Ray", label="below_bar", band=(20.0, 40.0), p_above=0.004)
    client.force_login(recruiter)
    response = client.get(reverse("shortlists:compare", args=[position.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "81% likely above the bar" in body and "under 1% likely above the bar" in body
    assert "These 2 candidates&#x27; bands overlap heavily" in body or (
        "These 2 candidates' bands overlap heavily" in body
    )
    assert body.index("Ada Lovelace") < body.index("Bob Builder") < body.index("Cleo Ray")
    assert body.count("<svg") == 1 and "bar 62.5" in body
    assert "Production execution: 66 (58" in body  # named, with the estimate's 90% band
    assert "Critical:</span> 1" in body
    assert "Level 2" in body and "Match" in body
    assert "0 of 0" in body  # stages done: none of these has a session


def test_recruiter_picks_a_shortlist_and_writes_summaries(
    client, recruiter, position, make_application
):
    a = make_application("Ada Lovelace")
    b = make_application("Bob Builder")
    make_application("Cleo Ray")
    client.force_login(recruiter)
    response = client.post(
        reverse("shortlists:compare", args=[position.pk]),
        {"title": "For Contoso", "applications": [a.pk, b.pk]},
    )
    shortlist = Shortlist.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "shortlists:detail", args=[shortlist.pk]
    )
    assert shortlist.title == "For Contoso" and shortlist.created_by == recruiter
    entries = {e.application_id: e for e in shortlist.entries.all()}
    assert set(entries) == {a.pk, b.pk}
    response = client.post(
        reverse("shortlists:update", args=[shortlist.pk]),
        {f"summary-{entries[a.pk].pk}": "Strong on genealogy.", "remove": [entries[b.pk].pk]},
    )
    assert response.status_code == 302
    assert list(ShortlistEntry.objects.values_list("application_id", "summary")) == [
        (a.pk, "Strong on genealogy.")
    ]


def test_a_shortlist_needs_candidates_of_this_position(
    client, recruiter, position, org, kit, make_application
):
    from tests.factories import make_position

    other_position = make_position(org, kit, title="Other role")
    foreign = make_application("Elsewhere", position=other_position)
    client.force_login(recruiter)
    url = reverse("shortlists:compare", args=[position.pk])
    response = client.post(url, {"title": "x"})
    assert response.status_code == 400
    assert "Applications: Pick at least one candidate." in response.content.decode()
    response = client.post(url, {"title": "x", "applications": [foreign.pk]})
    assert response.status_code == 400
    assert "Pick candidates of this position only." in response.content.decode()
    assert not Shortlist.objects.exists()


def test_interviewers_and_other_organizations_get_404(
    client, interviewer, outsider, position, shortlist
):
    urls = [
        reverse("shortlists:index"),
        reverse("shortlists:compare", args=[position.pk]),
        reverse("shortlists:detail", args=[shortlist.pk]),
    ]
    client.force_login(interviewer)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    client.force_login(outsider)
    assert client.get(urls[0]).status_code == 200  # their own (empty) index
    assert [client.get(u).status_code for u in urls[1:]] == [404, 404]
    response = client.post(urls[1], {"applications": [shortlist.entries.first().application_id]})
    assert response.status_code == 404
    assert Shortlist.objects.count() == 1


@pytest.mark.parametrize("view", ["compare", "detail", "index"])
def test_query_count_does_not_grow_with_candidates(
    client, recruiter, position, make_application, django_assert_max_num_queries, view
):
    from apps.shortlists import services as share

    client.force_login(recruiter)

    def url():
        apps = list(position.applications.all())
        if view == "compare":
            return reverse("shortlists:compare", args=[position.pk])
        shortlist = share.shortlist_create(
            position=position, title="s", application_ids=[a.pk for a in apps]
        )
        if view == "index":
            return reverse("shortlists:index")
        return reverse("shortlists:detail", args=[shortlist.pk])

    make_application("One")
    client.get(url())  # warm the session and caches
    counts = []
    for n in (1, 50):
        while position.applications.count() < n:
            make_application()
        target = url()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    target = url()
    with django_assert_max_num_queries(counts[1]):
        client.get(target)


def test_compare_chart_cuts_long_names_before_escaping_them():
    """A long name with "&" near the cut must never leave a bare "&" (broken SVG)."""
    from apps.shortlists.charts import compare_bands

    class V:
        band, score = (50.0, 70.0), 60.0

    svg = str(compare_bands([{"name": "A" * 22 + " & Partners Ltd", "verdict": V()}], 62.5))
    assert "A" * 22 + " &amp; \u2026" in svg
    assert "& " not in svg.replace("&amp;", "")
