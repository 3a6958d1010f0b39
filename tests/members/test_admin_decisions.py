"""A reviewer decides from the application's own page: its buttons lead to the queue's
confirmation pages for that application alone and back to the page; a page that saves
nothing has no Save button; an applicant's answer is marked on the page and in the
queue; the approval says it lists the organisation in the directory at once."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from members import services
from members.models import Application

from .factories import ApplicationFactory, IndividualApplicationFactory, UserFactory, reviewer

pytestmark = pytest.mark.django_db

QUEUE = "/admin/members/application/"


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    return application


def page_url(application):
    return f"{QUEUE}{application.pk}/change/"


def decide_url(application, action):
    return f"{QUEUE}{application.pk}/decide/{action}/"


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def staff_client(client):
    client.force_login(reviewer())
    return client


def test_the_application_page_is_titled_for_what_it_is_and_has_no_save_button(staff_client):
    application = submitted(org_name="Aman Network")
    html = staff_client.get(page_url(application)).content.decode()
    assert "<title>Membership application: Aman Network" in html
    assert "Change membership application" not in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    for action in ("request_information", "approve", "decline"):
        assert f'formaction="{decide_url(application, action)}"' in html


def test_a_reviewer_approves_from_the_page_and_comes_back_to_it(staff_client):
    application = submitted(org_name="Aman Network")
    confirm = staff_client.post(decide_url(application, "approve"))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Message to the applicant" in html
    assert "public member directory at once" in html
    assert f'href="{page_url(application)}" class="button cancel-link"' in html
    application.refresh_from_db()
    assert application.status == "submitted"
    done = staff_client.post(
        decide_url(application, "approve"), {"confirm": "1", "message": "Welcome."}
    )
    assert (done.status_code, done["Location"]) == (302, page_url(application))
    assert "1 application(s) approved." in messages_of(done)
    application.refresh_from_db()
    assert application.status == "approved"
    assert application.events.last().note == "Welcome."
    # Decided: the page offers nothing more, and its duplicates leave out its own member.
    html = staff_client.get(page_url(application)).content.decode()
    assert "/decide/" not in html
    membership = application.membership
    assert f"/admin/members/membership/{membership.pk}/change/" not in html
    assert "None found" in html


def test_a_request_for_information_from_the_page_needs_its_message(staff_client):
    application = submitted()
    empty = staff_client.post(
        decide_url(application, "request_information"), {"confirm": "1", "message": " "}
    )
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    done = staff_client.post(
        decide_url(application, "request_information"),
        {"confirm": "1", "message": "Send your safeguarding policy."},
    )
    assert done["Location"] == page_url(application)
    application.refresh_from_db()
    assert application.status == "information-requested"
    html = staff_client.get(page_url(application)).content.decode()
    assert f'formaction="{decide_url(application, "decline")}"' in html
    assert decide_url(application, "approve") not in html


def test_the_directory_warning_is_only_for_organisations(staff_client):
    person = IndividualApplicationFactory()
    services.application_submit(application=person, actor=person.applicant)
    html = staff_client.post(decide_url(person, "approve")).content.decode()
    assert "public member directory" not in html


def test_a_decision_the_state_no_longer_allows_is_refused_with_the_reason(staff_client):
    application = submitted()
    services.application_approve(application=application, actor=reviewer())
    response = staff_client.post(
        decide_url(application, "decline"), {"confirm": "1", "message": "No."}
    )
    assert response["Location"] == page_url(application)
    assert any(
        'Cannot decline an application that is "Approved"' in m for m in messages_of(response)
    )
    application.refresh_from_db()
    assert application.status == "approved"


def test_a_staff_member_who_may_only_look_gets_no_buttons_and_cannot_decide(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(viewer)
    application = submitted()
    html = client.get(page_url(application)).content.decode()
    assert "/decide/" not in html
    refused = client.post(decide_url(application, "approve"), {"confirm": "1", "message": ""})
    assert refused.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_unknown_decisions_and_a_get_change_nothing(staff_client):
    application = submitted()
    assert staff_client.post(decide_url(application, "delete_selected")).status_code == 404
    assert staff_client.get(decide_url(application, "approve"))["Location"] == page_url(application)
    assert staff_client.post(f"{QUEUE}999999/decide/approve/").status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_posting_the_page_itself_saves_nothing_and_says_so(staff_client):
    application = submitted(org_name="Aman Network")
    before = Application.objects.values("updated").get(pk=application.pk)
    response = staff_client.post(page_url(application), {"org_name": "Changed"})
    assert response.status_code == 302
    assert any("Nothing was saved" in m for m in messages_of(response))
    assert not any("was changed successfully" in m for m in messages_of(response))
    application.refresh_from_db()
    assert application.org_name == "Aman Network"
    assert Application.objects.values("updated").get(pk=application.pk) == before


def test_an_answer_is_marked_on_the_page_and_in_the_queue(staff_client):
    application = submitted(org_name="Answering Org")
    waiting = submitted(org_name="Waiting Org")
    services.application_request_information(
        application=application, actor=reviewer(), message="Your registration, please."
    )
    queue = staff_client.get(f"{QUEUE}?status=all").content.decode()
    assert "answer received" not in queue
    services.application_answer(
        application=application, actor=application.applicant, answer="Attached, with thanks."
    )
    today = timezone.localdate().strftime("%m/%d/%Y")
    queue = staff_client.get(f"{QUEUE}?status=all").content.decode()
    row = queue.split("Answering Org", 1)[1].split("</tr>")[0]
    assert f"Reviewers: answer received {today}" in row
    other = queue.split(waiting.org_name, 1)[1].split("</tr>")[0]
    assert "answer received" not in other
    html = staff_client.get(page_url(application)).content.decode()
    assert 'id="answer-received"' in html
    assert "Attached, with thanks." in html
    # Asked again: the applicant's turn, and the old answer is no longer "received".
    services.application_request_information(
        application=application, actor=reviewer(), message="And your PSEA policy."
    )
    html = staff_client.get(page_url(application)).content.decode()
    assert 'id="answer-received"' not in html


def test_the_queue_with_answers_keeps_its_query_count(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def answered():
        application = submitted()
        services.application_request_information(
            application=application, actor=reviewer(), message="More."
        )
        services.application_answer(
            application=application, actor=application.applicant, answer="Here."
        )

    def count():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(f"{QUEUE}?status=all").status_code == 200
        return len(context.captured_queries)

    answered()
    few = count()
    for _ in range(6):
        answered()
    assert count() == few


def test_approving_from_the_page_asks_about_a_same_name_member_first(staff_client):
    from .factories import MembershipFactory

    member = MembershipFactory(partner__name_en="Réseau Enfance", user=UserFactory())
    application = submitted(org_name="reseau enfance")
    unchosen = staff_client.post(
        decide_url(application, "approve"), {"confirm": "1", "message": ""}
    )
    assert unchosen.status_code == 200
    html = unchosen.content.decode()
    assert "Same name as an existing member" in html
    assert f"/admin/members/membership/{member.pk}/change/" in html
    application.refresh_from_db()
    assert application.status == "submitted"
    done = staff_client.post(
        decide_url(application, "approve"),
        {"confirm": "1", "message": "", f"same_name_{application.pk}": "separate"},
    )
    assert done["Location"] == page_url(application)
    application.refresh_from_db()
    assert application.status == "approved"
