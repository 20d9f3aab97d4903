import pytest
from django.urls import reverse

from apps.bank.models import Question
from apps.bank.services import questions_lock
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_question_changelist_filters(staff_client):
    QuestionFactory(prompt="Findable")
    response = staff_client.get(reverse("admin:bank_question_changelist"), {"status": "published"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_locked_question_is_read_only_in_admin(staff_client):
    unlocked, locked = QuestionFactory(), QuestionFactory()
    questions_lock(question_ids=[locked.pk])
    editable = staff_client.get(reverse("admin:bank_question_change", args=[unlocked.pk]))
    frozen = staff_client.get(reverse("admin:bank_question_change", args=[locked.pk]))
    # The admin offers a save button and editable fields only for the unlocked version.
    assert 'name="_save"' in editable.content.decode()
    assert 'name="prompt"' in editable.content.decode()
    assert 'name="_save"' not in frozen.content.decode()
    assert 'name="prompt"' not in frozen.content.decode()
    response = staff_client.post(
        reverse("admin:bank_question_change", args=[locked.pk]), {"prompt": "edited"}
    )
    assert response.status_code == 403
    locked.refresh_from_db()
    assert locked.prompt != "edited"


def test_new_version_action(staff_client):
    q = QuestionFactory()
    questions_lock(question_ids=[q.pk])
    staff_client.post(
        reverse("admin:bank_question_changelist"),
        {"action": "make_new_version", "_selected_action": [q.pk]},
    )
    latest = Question.objects.get(key=q.key, is_latest=True)
    assert (latest.version, latest.status) == (2, "draft")
