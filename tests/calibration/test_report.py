"""The calibration report: alpha per question, per kit and per interviewer from real scorecards,
rater drift, the readings, provisional marks, aggregate-only mode, who may see it, and its
query budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.calibration import selectors
from apps.calibration.selectors import calibration_report
from apps.scoring.agreement import ALPHA_MIN_UNITS, alpha_reading, krippendorff_alpha

from .conftest import NOT_ASKED, interviewers, kit_of, question_with, rate_sessions

pytestmark = pytest.mark.django_db

# Krippendorff's own 4 coders x 12 units (SCORING.md), values 1-5; None is missing.
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.fixture
def published_vectors(org):
    """Krippendorff's data as scorecards: one single-criterion question asked in 12 sessions
    (the units), rated by 4 interviewers (the coders), 1-5 shifted to the rubric's 0-4 (ordinal
    alpha depends only on the order of the values). A missing value is a missing scorecard."""
    coders = interviewers(org, "anna", "boris", "chen", "dara")
    question = question_with([("accuracy", 1.0)], organization=org)
    kit = kit_of([question], organization=org)
    grid = [
        {coders[c]: [row[u] - 1] for c, row in enumerate(KRIPPENDORFF) if row[u] is not None}
        for u in range(12)
    ]
    rate_sessions(org, kit, grid)
    return question, kit, coders


def test_published_vectors_through_the_selector_give_ordinal_815(
    org, published_vectors, monkeypatch
):
    question, kit, _ = published_vectors
    report = calibration_report(organization=org)
    monkeypatch.setattr(selectors, "CHUNK", 5)  # read in three batches: the same figures
    assert calibration_report(organization=org) == report
    assert report.ratings == 41  # every rating given, the lone one of unit 12 included
    (by_question,) = report.questions
    assert by_question.key == question.key
    assert by_question.alpha == pytest.approx(0.815, abs=5e-4)
    assert by_question.reading == "reliable"
    # Unit 12 has one rating: it drops out. 40 pairable values in 11 units, 4 coders.
    assert (by_question.units, by_question.ratings, by_question.coders) == (11, 40, 4)
    assert not by_question.provisional
    (by_kit,) = report.kits
    assert by_kit.key == kit.key
    assert by_kit.alpha == pytest.approx(0.815, abs=5e-4)
    assert report.overall.alpha == pytest.approx(0.815, abs=5e-4)


def test_interviewer_alpha_is_over_the_items_they_rated_with_their_co_raters(
    org, published_vectors
):
    _, _, coders = published_vectors
    report = calibration_report(organization=org)
    anna = next(f for f in report.interviewers if f.key == str(coders[0].pk))
    # Anna rated units 1-9: the alpha of every coder over those units, checked by hand.
    by_hand = krippendorff_alpha([row[:9] for row in KRIPPENDORFF], "ordinal")
    assert anna.alpha == pytest.approx(by_hand)
    assert (anna.units, anna.coders) == (9, 4)
    assert anna.provisional  # 9 units < ALPHA_MIN_UNITS
    assert anna.label == "Anna Anna-Family (anna)"


def test_not_asked_items_count_nowhere(org):
    ada, ben = interviewers(org, "ada", "ben")
    q1, q2 = question_with([("accuracy", 1.0)]), question_with([("accuracy", 1.0)])
    kit = kit_of([q1, q2])
    rate_sessions(org, kit, [{ada: [3, 2], ben: [3, NOT_ASKED]}])
    report = calibration_report(organization=org)
    figures = {f.key: f for f in report.questions}
    assert (figures[q1.key].units, figures[q1.key].ratings, figures[q1.key].coders) == (1, 2, 2)
    assert (figures[q2.key].units, figures[q2.key].ratings, figures[q2.key].coders) == (0, 0, 1)
    assert figures[q2.key].alpha is None and figures[q2.key].provisional
    assert report.ratings == 3


def test_readings_follow_krippendorffs_thresholds():
    assert alpha_reading(0.80) == "reliable"
    assert alpha_reading(0.7999) == "tentative"
    assert alpha_reading(0.667) == "tentative"
    assert alpha_reading(0.6669) == "rework"
    assert alpha_reading(-0.2) == "rework"
    assert alpha_reading(None) is None


def drift_grid(drifter, steady, other, sessions: int, drifter_skips: int = 0):
    """3 items a session; the drifter rates each 3.6 (4 on weight 3, 3 on weight 2), the two
    others 3.0. In the last session the drifter marks ``drifter_skips`` items not asked."""
    grid = []
    for s in range(sessions):
        cells = [{"depth": 4, "clarity": 3}] * 3
        if s == sessions - 1 and drifter_skips:
            cells = cells[: 3 - drifter_skips] + [NOT_ASKED] * drifter_skips
        grid.append({drifter: cells, steady: [3, 3, 3], other: [3, 3, 3]})
    return grid


@pytest.fixture
def drift_kit(org):
    return kit_of([question_with([("depth", 3.0), ("clarity", 2.0)]) for _ in range(3)])


def test_drift_of_0_6_over_21_shared_items_is_flagged(org, drift_kit):
    dora, sam, tia = interviewers(org, "dora-drift", "sam-steady", "tia-third")
    rate_sessions(org, drift_kit, drift_grid(dora, sam, tia, sessions=7))
    report = calibration_report(organization=org)
    drift = {d.interviewer_id: d for d in report.drift}
    assert drift[dora.pk].offset == pytest.approx(0.6)
    assert drift[dora.pk].shared_items == 21
    assert drift[dora.pk].flagged and not drift[dora.pk].provisional
    assert drift[sam.pk].offset == pytest.approx(-0.3) and not drift[sam.pk].flagged
    assert (report.drift_flagged, report.drift_interviewers) == (1, 3)
    assert report.drift[0].interviewer_id == dora.pk  # flagged first


def test_drift_of_0_6_over_19_shared_items_is_provisional_not_flagged(org, drift_kit):
    dora, sam, tia = interviewers(org, "dora-drift", "sam-steady", "tia-third")
    rate_sessions(org, drift_kit, drift_grid(dora, sam, tia, sessions=7, drifter_skips=2))
    report = calibration_report(organization=org)
    drift = {d.interviewer_id: d for d in report.drift}
    assert drift[dora.pk].offset == pytest.approx(0.6)
    assert drift[dora.pk].shared_items == 19
    assert not drift[dora.pk].flagged and drift[dora.pk].provisional
    assert report.drift_flagged == 0


def test_page_shows_readings_counts_and_provisional_marks(admin_client, org, drift_kit):
    dora, sam, tia = interviewers(org, "dora-drift", "sam-steady", "tia-third")
    rate_sessions(org, drift_kit, drift_grid(dora, sam, tia, sessions=7))
    response = admin_client.get(reverse("calibration:report"))
    assert response.status_code == 200
    html = response.content.decode()
    # Each question was asked 7 times: under the minimum of 10 units, so provisional.
    assert ALPHA_MIN_UNITS == 10
    assert "7 units, 21 ratings, 3 interviewers" in html
    assert "(provisional)" in html
    assert "1 of 3 interviewers would be flagged" in html
    assert "Flagged: calibrate" in html
    assert "0.60" in html and ">21<" in html
    assert "rework the anchors or calibrate the interviewers" in html  # the drifter's kit
    report = calibration_report(organization=org)
    assert report.kits[0].units == 21 and not report.kits[0].provisional


def test_aggregate_only_names_no_interviewer(admin_client, org, drift_kit):
    people = interviewers(org, "dora-drift", "sam-steady", "tia-third")
    rate_sessions(org, drift_kit, drift_grid(*people, sessions=7))
    names = [u.username for u in people] + [u.get_full_name() for u in people]

    html = admin_client.get(reverse("calibration:report")).content.decode()
    assert all(name in html for name in names)

    org.calibration_aggregate_only = True
    org.save(update_fields=["calibration_aggregate_only"])
    html = admin_client.get(reverse("calibration:report")).content.decode()
    assert not [name for name in names if name in html]
    assert "1 of 3 interviewers would be flagged" in html
    assert "Per interviewer" not in html and "Flagged: calibrate" not in html
    report = calibration_report(organization=org)
    assert report.interviewers == [] and report.drift == []


def test_empty_organization_says_there_is_nothing_yet(admin_client):
    response = admin_client.get(reverse("calibration:report"))
    assert response.status_code == 200
    assert "No submitted scorecards yet" in response.content.decode()


@pytest.mark.parametrize("who", ["recruiter", "interviewer"])
def test_only_admins_reach_the_report(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("calibration:report")).status_code == 404


def test_another_tenant_sees_only_its_own_report(client, org, outsider, published_vectors):
    client.force_login(outsider)
    response = client.get(reverse("calibration:report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No submitted scorecards yet" in html
    assert "Anna" not in html


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("calibration:report"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("n", [1, 50])
def test_report_queries_do_not_grow_with_ratings(
    admin_client, org, drift_kit, n, django_assert_max_num_queries
):
    dora, sam, tia = interviewers(org, "dora-drift", "sam-steady", "tia-third")
    rate_sessions(org, drift_kit, drift_grid(dora, sam, tia, sessions=n))
    admin_client.get(reverse("calibration:report"))  # the session is read and cached once
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("calibration:report"))
    html = response.content.decode()
    # n sessions x 3 items x 3 interviewers: every question row rests on all n sessions.
    units = "1 unit" if n == 1 else f"{n} units"
    assert f"All questions ({9 * n} item ratings)" in html
    assert html.count(f"{units}, {3 * n} ratings, 3 interviewers") == 3
    assert f"{3 * n} units, {9 * n} ratings, 3 interviewers" in html  # the kit row


def test_organization_page_links_the_report(admin_client):
    page = admin_client.get(reverse("organization")).content.decode()
    assert reverse("calibration:report") in page
