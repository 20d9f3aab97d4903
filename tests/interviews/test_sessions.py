import pytest
from django.core.exceptions import ValidationError

from apps.bank.models import Question
from apps.bank.services import question_new_version
from apps.interviews import services
from apps.interviews.models import CandidateSession, SessionItem
from tests.factories import CandidateSessionFactory, UserFactory

from .conftest import rate_all

pytestmark = pytest.mark.django_db


def test_session_freezes_the_kit_and_the_role(session, kit, position):
    items = list(session.items.all())
    kit_questions = [ki.question for ki in kit.items.all()]
    assert [i.question_key for i in items] == [q.key for q in kit_questions]
    first, q = items[0], kit_questions[0]
    assert first.prompt == q.prompt and first.question_version == q.version
    assert [c["key"] for c in first.rubric] == ["accuracy", "depth"]
    assert first.rubric[1]["anchors"]["3"] == f"depth 3 of {q.key}"
    assert first.red_flags == [{"text": "Places MES at Level 4", "critical": True}]
    assert (session.role_track, session.role_level) == ("plant", 2)
    assert session.role_weights == position.competency_weights
    assert all(Question.objects.get(pk=q.pk).locked for q in kit_questions)


def test_editing_or_retiring_the_bank_changes_no_past_session(session, interviewer, interviewer2):
    rate_all(session, interviewer, 3)
    rate_all(session, interviewer2, 4)
    session.refresh_from_db()
    frozen = list(SessionItem.objects.filter(session=session).values())
    result = session.result

    item = session.items.first()
    q = Question.objects.get(pk=item.question_id)
    new = question_new_version(question=q)
    new.prompt = "Completely different wording"
    new.save()
    crit = new.criteria.get(key="depth")
    crit.anchors.filter(rating=3).update(text="changed anchor")
    Question.objects.filter(key=q.key).update(status=Question.Status.RETIRED)
    # The old version itself cannot be edited through the bank's import path either.
    assert Question.objects.get(pk=q.pk).locked

    services.sessions_rescore(session_ids=[session.pk])
    session.refresh_from_db()
    assert list(SessionItem.objects.filter(session=session).values()) == frozen
    assert session.result["score"] == result["score"]
    assert session.result["band"] == result["band"]


def test_session_rejects_foreign_candidate_and_non_member_interviewer(position, other_org):
    foreign = services.candidate_create(organization=other_org, name="X", email="x@example.com")
    with pytest.raises(ValidationError) as exc:
        services.session_create(position=position, candidate=foreign)
    assert "candidate" in exc.value.message_dict
    own = services.candidate_create(
        organization=position.organization, name="Y", email="y@example.com"
    )
    stranger = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.session_create(position=position, candidate=own, interviewers=[stranger])
    assert "interviewers" in exc.value.message_dict
    assert CandidateSession.objects.count() == 0


def test_candidate_duplicates_are_detected_by_email_case_insensitively(org, candidate):
    with pytest.raises(ValidationError) as exc:
        services.candidate_create(organization=org, name="Other", email=" priya@example.COM ")
    assert "already exists" in exc.value.message_dict["email"][0]


def test_same_email_in_another_organization_is_fine(other_org, candidate):
    other = services.candidate_create(
        organization=other_org, name="Priya", email="priya@example.com"
    )
    assert other.pk != candidate.pk


def test_weights_must_sum_to_one(position):
    with pytest.raises(ValidationError) as exc:
        services.position_update(
            position=position,
            competency_weights={"production_execution": 0.5, "quality_operations": 0.3},
        )
    assert "add up to 100%" in exc.value.message_dict["competency_weights"][0]


def test_factory_session_is_usable():
    session = CandidateSessionFactory()
    assert session.items.count() == 3


def test_an_organizations_own_kit_is_suggested_before_the_shipped_one(org):
    from tests.factories import KitFactory, LevelFactory, TrackFactory

    track, level = TrackFactory(key="plant"), LevelFactory(number=2)
    KitFactory(organization=None, track=track, level=level, key="shipped-plant-l2")
    own = KitFactory(organization=org, track=track, level=level, key="own-plant-l2")
    assert services.kit_suggest(organization=org, track_key="plant", level=2) == own


def test_a_draft_being_revised_is_never_asked_until_it_is_published(
    session, position, candidate, interviewer
):
    """ "Open a new version" puts a draft copy in the kits while its author edits it: a session
    created meanwhile asks the published version, and the next one after publishing asks the
    new version."""
    item = session.items.first()
    used = Question.objects.get(pk=item.question_id)
    draft = question_new_version(question=used)
    Question.objects.filter(pk=draft.pk).update(prompt="HALF-WRITTEN draft wording")
    other = services.candidate_create(
        organization=position.organization, name="Noor", email="noor@example.com"
    )

    meanwhile = services.session_create(position=position, candidate=other)

    asked = meanwhile.items.get(question_key=used.key)
    assert (asked.question_id, asked.question_version, asked.prompt) == (
        used.pk,
        used.version,
        used.prompt,
    )
    assert meanwhile.items.count() == session.items.count()
    draft.refresh_from_db()
    assert not draft.locked  # still editable in place: no session froze it

    # Published (for a shipped question by the bank's import, for an own one by the editor).
    Question.objects.filter(pk=draft.pk).update(status=Question.Status.PUBLISHED)
    third = services.candidate_create(
        organization=position.organization, name="Ola", email="ola@example.com"
    )
    after = services.session_create(position=position, candidate=third)
    asked = after.items.get(question_key=used.key)
    assert (asked.question_version, asked.prompt) == (draft.version, "HALF-WRITTEN draft wording")
