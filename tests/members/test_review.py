"""Reviewers and applicants talking: an answer carries documents and reaches the
reviewers with its text; reviewers keep internal notes the applicant never sees, give an
application to one of them, and see whose turn it is; every letter an applicant should
get goes through the outbox."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.models import OutboundEmail
from members import services
from members.models import Application, ApplicationAttachment

from .factories import ApplicationFactory, UserFactory, reviewer
from .test_views import PDF, docx_bytes

pytestmark = pytest.mark.django_db

QUEUE = "/admin/members/application/"


@pytest.fixture
def asked(client):
    applicant = UserFactory()
    application = ApplicationFactory(applicant=applicant, org_name="Syrian Child Network")
    services.application_submit(application=application, actor=applicant)
    services.application_request_information(
        application=application, actor=reviewer(), message="Send your registration."
    )
    client.force_login(applicant)
    return application


def answer_url(application):
    return reverse("members:application_answer", kwargs={"pk": application.pk})


def test_an_answer_carries_documents_and_reviewers_read_its_text(client, asked):
    response = client.post(
        answer_url(asked),
        {
            "answer": "Our registration and our 2025 report are attached.",
            "documents": [
                SimpleUploadedFile("registration.pdf", PDF, "application/pdf"),
                SimpleUploadedFile("report 2025.docx", docx_bytes(), "application/octet-stream"),
            ],
        },
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "submitted" and asked.turn == "reviewers"
    names = list(asked.attachments.values_list("name", flat=True))
    assert names == ["registration.pdf", "report 2025.docx"]
    assert all(a.event.note.startswith("Our registration") for a in asked.attachments.all())
    to_reviewers = OutboundEmail.objects.get(context__kind="answer_received")
    assert to_reviewers.subject == "The applicant answered: Syrian Child Network"
    assert "Our registration and our 2025 report are attached." in to_reviewers.body
    assert "They sent 2 documents with it." in to_reviewers.body
    page = client.get(asked.get_absolute_url()).content.decode()
    assert "registration.pdf" in page
    attachment = asked.attachments.first()
    download = client.get(
        reverse(
            "members:application_attachment",
            kwargs={"pk": asked.pk, "attachment_pk": attachment.pk},
        )
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_an_answer_refuses_a_document_that_is_not_one_and_keeps_nothing(client, asked):
    response = client.post(
        answer_url(asked),
        {
            "answer": "Here it is.",
            "documents": [SimpleUploadedFile("photo.pdf", b"GIF89a\x01\x00", "application/pdf")],
        },
    )
    assert response.status_code == 400
    assert "photo.pdf: Choose a PDF or Word (.docx) document" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == "information-requested"
    assert not ApplicationAttachment.objects.exists()


def test_nobody_else_downloads_an_answers_document(client, asked):
    client.post(
        answer_url(asked),
        {
            "answer": "Attached.",
            "documents": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")],
        },
    )
    attachment = asked.attachments.get()
    url = reverse(
        "members:application_attachment", kwargs={"pk": asked.pk, "attachment_pk": attachment.pk}
    )
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(reviewer())
    assert client.get(url).status_code == 200


def test_internal_notes_stay_with_reviewers(client, asked):
    staff = reviewer()
    client.force_login(staff)
    note_url = reverse("admin:members_application_note", args=[asked.pk])
    assert client.post(note_url, {"text": "  "}).status_code == 302
    assert not asked.notes.exists()
    client.post(note_url, {"text": "Checked with the Gaziantep hub: known partner."})
    assert asked.notes.get().author == staff
    page = client.get(reverse("admin:members_application_change", args=[asked.pk]))
    assert "Checked with the Gaziantep hub" in page.content.decode()
    client.force_login(asked.applicant)
    assert "Gaziantep hub" not in client.get(asked.get_absolute_url()).content.decode()
    assert client.post(note_url, {"text": "sneaky"}).status_code == 302  # to the admin login
    assert asked.notes.count() == 1


def test_an_application_is_given_to_a_reviewer_and_the_queue_shows_whose_turn(client, asked):
    staff, other = reviewer(), reviewer(email="amal@cpaor.example")
    client.force_login(staff)
    assign_url = reverse("admin:members_application_assign", args=[asked.pk])
    client.post(assign_url, {"assignee": other.pk})
    asked.refresh_from_db()
    assert asked.assignee == other
    not_a_reviewer = UserFactory(is_staff=True)
    client.post(assign_url, {"assignee": not_a_reviewer.pk})
    asked.refresh_from_db()
    assert asked.assignee == other
    queue = client.get(f"{QUEUE}?status=all").content.decode()
    assert "amal@cpaor.example" in queue and "Applicant" in queue
    mine = client.get(f"{QUEUE}?status=all&assignee=me").context["cl"].result_list
    assert list(mine) == []
    # The assigned reviewer alone hears of the answer.
    client.force_login(asked.applicant)
    client.post(answer_url(asked), {"answer": "Done."})
    notices = OutboundEmail.objects.filter(context__kind="answer_received")
    assert [notice.to for notice in notices] == [["amal@cpaor.example"]]


def test_every_letter_an_applicant_should_get_is_an_outbox_row(asked):
    applicant = asked.applicant
    services.application_answer(application=asked, actor=applicant, answer="Here.")
    services.application_start_review(application=asked, actor=reviewer())
    withdrawn = ApplicationFactory(applicant=applicant, org_name="Second try")
    services.application_submit(application=withdrawn, actor=applicant)
    services.application_withdraw(application=withdrawn, actor=applicant)
    draft = ApplicationFactory(applicant=applicant, org_name="Never sent")
    services.application_withdraw(application=draft, actor=applicant)
    kinds = list(
        OutboundEmail.objects.filter(to__contains=[applicant.email])
        .order_by("pk")
        .values_list("context__kind", flat=True)
    )
    assert kinds == [
        "submitted",
        "information_requested",
        "under_review",
        "submitted",
        "withdrawn",
    ]
    assert Application.objects.get(pk=draft.pk).status == "withdrawn"


def test_an_address_that_is_no_application_number_is_no_error(client):
    client.force_login(reviewer())
    response = client.get(f"{QUEUE}abc/change/", follow=True)
    assert response.status_code == 200


def test_erasing_a_person_removes_their_focal_point_role_and_invitations(asked):
    from members.models import FocalPoint, FocalPointInvitation

    staff = reviewer()
    services.application_answer(application=asked, actor=asked.applicant, answer="Sent.")
    services.application_approve(application=asked, actor=staff)
    person = asked.applicant
    membership = asked.membership
    assert FocalPoint.objects.filter(user=person).exists()
    FocalPointInvitation.objects.create(
        membership=membership, email=person.email.upper(), invited_by=staff
    )
    exported = services.person_export(user=person)
    assert exported["focal_point_of"][0]["organisation"] == str(membership)
    assert exported["invitations_to_this_person"][0]["email"] == person.email.upper()
    services.person_erase(user=person, actor=staff)
    assert not FocalPoint.objects.filter(user=person).exists()
    assert not FocalPointInvitation.objects.exists()
