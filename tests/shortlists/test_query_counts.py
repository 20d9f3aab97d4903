"""The same number of queries at 1 and at 50 candidates for the views not measured elsewhere:
the recruiter's writes (summaries, share, revoke), the client's decision, and the PDFs (the
recruiter's and the client's)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.shortlists import services as share

from .conftest import create_link

pytestmark = pytest.mark.django_db


def measure(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "view",
    ["update", "share", "share_report", "revoke", "pdf", "report_pdf", "decide", "share_pdf"],
)
def test_writes_and_pdfs_do_not_grow_with_candidates(
    client, org, position, recruiter, make_application, view
):
    counts = []
    for n in (1, 50):
        apps = [make_application() for _ in range(n)]
        shortlist = share.shortlist_create(
            position=position, title="s", application_ids=[a.pk for a in apps]
        )
        created = create_link(organization=org, shortlist=shortlist, created_by=recruiter)
        client.logout()
        if view == "share_pdf":
            counts.append(measure(client, "get", reverse("share:pdf", args=[created.token])))
            continue
        if view == "decide":
            client.get(reverse("share:open", args=[created.token]))
            key = client.session["takehome_form_key"]
            url = reverse("share:decide", args=[created.token, apps[0].pk])
            counts.append(measure(client, "post", url, {"decision": "hold", "form_key": key}))
            continue
        client.force_login(recruiter)
        client.get(reverse("shortlists:index"))  # the session is read and cached once
        if view == "update":
            data = {f"summary-{e.pk}": f"Summary {e.pk}" for e in shortlist.entries.all()}
            counts.append(
                measure(client, "post", reverse("shortlists:update", args=[shortlist.pk]), data)
            )
        elif view == "share":
            data = {"contact_name": "Carla", "days": 14, "show_summary": "on"}
            counts.append(
                measure(client, "post", reverse("shortlists:share", args=[shortlist.pk]), data)
            )
        elif view == "share_report":
            data = {"contact_name": "Carla", "days": 14}
            url = reverse("shortlists:share_report", args=[apps[0].pk])
            counts.append(measure(client, "post", url, data))
        elif view == "revoke":
            counts.append(
                measure(client, "post", reverse("shortlists:revoke", args=[created.link.pk]))
            )
        elif view == "pdf":
            counts.append(measure(client, "get", reverse("shortlists:pdf", args=[shortlist.pk])))
        else:
            counts.append(
                measure(client, "get", reverse("shortlists:report_pdf", args=[apps[0].pk]))
            )
    assert counts[0] == counts[1], counts
