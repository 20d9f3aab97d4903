"""Uploads: one file per answer, PDF/PNG/JPEG by content (magic bytes), at most 10 MB,
stored through Django's storage API, served only to the organization's members once the
answers may be scored; a bad upload is a clear message and stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.interviews.models import Answer
from apps.interviews.services import attachments, invitations

from .conftest import submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def _items(created):
    return list(created.invitation.session.items.order_by("order"))


def _post(client, item, name, content, content_type="application/octet-stream", **extra):
    data = {f"file-{item.pk}": SimpleUploadedFile(name, content, content_type), "save": "1"}
    data.update(extra)
    return client.post("/takehome/", data)


def _stored(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [(PDF, "sketch.pdf", "application/pdf"), (PNG, "sketch.png", "image/png"),
     (JPEG, "photo.jpeg", "image/jpeg")],
)  # fmt: skip
def test_pdf_png_and_jpeg_are_stored_through_the_storage_api(
    started, media_root, content, name, expected
):
    client, created = started
    item = _items(created)[0]
    response = _post(client, item, name, content)
    assert response.status_code == 200
    answer = Answer.objects.get(item=item)
    assert (answer.attachment_type, answer.attachment_name) == (expected, name)
    assert answer.attachment_size == len(content)
    assert answer.attachment.storage.exists(answer.attachment.name)
    assert name not in answer.attachment.name  # a random name in storage
    assert [p.read_bytes() for p in _stored(media_root)] == [content]
    assert name in client.get("/takehome/").content.decode()


def test_the_type_comes_from_the_content_not_the_name_or_browser(started):
    client, created = started
    item = _items(created)[0]
    _post(client, item, "diagram.png", PDF, content_type="image/png")
    assert Answer.objects.get(item=item).attachment_type == "application/pdf"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [(EXE, "sketch.png", "not a PDF, PNG or JPEG"), (b"<svg onload=alert(1)>", "x.svg",
      "not a PDF, PNG or JPEG"), (b"", "empty.pdf", "empty")],
)  # fmt: skip
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_stored(
    started, media_root, content, name, reason
):
    client, created = started
    item = _items(created)[0]
    response = _post(client, item, name, content, content_type="image/png")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Question 1, file:" in html and reason in html
    assert 'aria-invalid="true"' in html
    assert _stored(media_root) == []
    assert not Answer.objects.get(item=item).attachment


def test_a_file_over_10_mb_is_refused_and_nothing_is_stored(started, media_root):
    client, created = started
    item = _items(created)[0]
    big = PDF + b"0" * (attachments.MAX_BYTES + 1 - len(PDF))
    response = _post(client, item, "huge.pdf", big)
    assert response.status_code == 400 and "at most 10 MB" in response.content.decode()
    assert _stored(media_root) == [] and not Answer.objects.get(item=item).attachment
    exactly = PDF + b"0" * (attachments.MAX_BYTES - len(PDF))
    assert _post(client, item, "max.pdf", exactly).status_code == 200


def test_a_refused_file_blocks_the_submit_so_the_candidate_sees_why(started):
    client, created = started
    item = _items(created)[0]
    response = _post(client, item, "virus.pdf", EXE, submit="1", confirm="1")
    assert response.status_code == 400
    created.invitation.refresh_from_db()
    assert created.invitation.submitted_at is None


def test_a_new_file_replaces_the_old_one_and_remove_deletes_it(
    started, media_root, django_capture_on_commit_callbacks
):
    client, created = started
    item = _items(created)[0]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, item, "one.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, item, "two.png", PNG)
    assert [p.read_bytes() for p in _stored(media_root)] == [PNG]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/takehome/", {f"remove-file-{item.pk}": "1", "save": "1"})
    assert _stored(media_root) == [] and not Answer.objects.get(item=item).attachment


def test_no_upload_after_submit(started, media_root):
    client, created = started
    item = _items(created)[0]
    submit(client, created)
    with pytest.raises(invitations.SaveRefused) as exc:
        attachments.attachment_save(
            invitation=created.invitation,
            item_id=item.pk,
            upload=SimpleUploadedFile("late.pdf", PDF),
        )
    assert exc.value.reason == invitations.SaveRefused.Reason.SUBMITTED
    assert _stored(media_root) == []


def test_a_file_does_not_count_as_a_rating_or_a_score(started, interviewer):
    client, created = started
    item = _items(created)[0]
    _post(client, item, "sketch.pdf", PDF)
    session = submit(client, created)
    assert session.result is None  # nothing automatic: only interviewers' ratings score


# -- serving --------------------------------------------------------------------------------


def _member(user):
    client = Client()
    client.force_login(user)
    return client


def _url(item):
    return reverse("interviews:answer_attachment", args=[Answer.objects.get(item=item).pk])


def test_members_get_the_file_after_submit(started, recruiter, interviewer):
    client, created = started
    item = _items(created)[0]
    _post(client, item, "sketch.png", PNG)
    submit(client, created)
    for user in (recruiter, interviewer):
        response = _member(user).get(_url(item))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
    page = _member(interviewer).get(reverse("interviews:scorecard", args=[item.session_id]))
    assert _url(item) in page.content.decode() and "sketch.png" in page.content.decode()


def test_other_organizations_unassigned_interviewers_and_candidates_get_404(started, outsider, org):
    from apps.accounts.models import Role
    from tests.factories import MembershipFactory

    client, created = started
    item = _items(created)[0]
    _post(client, item, "sketch.pdf", PDF)
    submit(client, created)
    url = _url(item)
    assert _member(outsider).get(url).status_code == 404
    stranger = MembershipFactory(organization=org, role=Role.INTERVIEWER).user
    assert _member(stranger).get(url).status_code == 404
    assert client.get(url).status_code in (302, 404)  # the candidate: to the login page
    assert b"%PDF" not in client.get(url).content


def test_the_file_waits_for_the_answers_like_the_scorecard(started, recruiter):
    client, created = started
    item = _items(created)[0]
    _post(client, item, "draft.pdf", PDF)
    assert _member(recruiter).get(_url(item)).status_code == 404


@pytest.mark.parametrize("n", [1, 50])
def test_serving_a_file_costs_the_same_queries_at_1_and_50_files(
    n, make_invitation, recruiter, django_assert_max_num_queries
):
    answers = []
    for _ in range(n):
        created = make_invitation()
        invitations.takehome_start(invitation=created.invitation)
        item = created.invitation.session.items.order_by("order").first()
        attachments.attachment_save(
            invitation=created.invitation, item_id=item.pk, upload=SimpleUploadedFile("a", PDF)
        )
        invitations.takehome_submit(invitation=created.invitation)
        answers.append(Answer.objects.get(item=item))
    staff = _member(recruiter)
    url = reverse("interviews:answer_attachment", args=[answers[-1].pk])
    # Reading the stream closes the response through the test client, which keeps the test's
    # database connection open (calling response.close() directly would close it).
    b"".join(staff.get(url).streaming_content)
    with django_assert_max_num_queries(4):  # the request's user and membership, the answer
        response = staff.get(url)
    b"".join(response.streaming_content)
    assert response.status_code == 200
