import json

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core import mail

from common.groups import CONTENT_EDITORS, MEMBERSHIP_REVIEWERS
from members import services
from members.models import Application, Membership

from .factories import ApplicationFactory, MembershipFactory, UserFactory, reviewer

pytestmark = pytest.mark.django_db

QUEUE = "/admin/members/application/"


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    return application


@pytest.fixture
def staff_client(client):
    client.force_login(reviewer())
    return client


def test_a_staff_member_outside_the_reviewers_cannot_reach_the_queue(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=CONTENT_EDITORS))
    client.force_login(editor)
    assert client.get(QUEUE).status_code == 403
    application = submitted()
    assert client.get(f"{QUEUE}{application.pk}/change/").status_code == 403
    assert client.get(f"{QUEUE}person-data/").status_code == 403


def test_an_applicant_without_staff_status_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_reviewers_have_only_the_permissions_they_need():
    codenames = set(
        Group.objects.get(name=MEMBERSHIP_REVIEWERS).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("members", "change_application") in codenames
    assert ("members", "erase_personal_data") in codenames
    assert ("members", "delete_application") not in codenames
    assert ("members", "add_application") not in codenames


def test_the_queue_shows_waiting_applications_by_default(staff_client):
    waiting = submitted(org_name="Waiting Org")
    ApplicationFactory(org_name="Draft Org")
    declined = submitted(org_name="Declined Org")
    services.application_decline(application=declined, actor=reviewer(), note="No.")
    html = staff_client.get(QUEUE).content.decode()
    assert waiting.org_name in html
    assert "Draft Org" not in html
    assert "Declined Org" not in html
    assert "Declined Org" in staff_client.get(f"{QUEUE}?status=declined").content.decode()


def test_the_queue_filters_by_type_country_and_age_and_searches(staff_client):
    full = submitted(org_name="Full Org")
    associate = submitted(org_name="Associate Org", membership_type="associate")
    Application.objects.filter(pk=associate.pk).update(
        submitted_at=associate.submitted_at.replace(year=2020)
    )

    def names(query):
        response = staff_client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200
        return sorted(str(row) for row in response.context["cl"].result_list)

    assert names("membership_type__exact=full") == ["Full Org"]
    assert names(f"country={full.hq_country.iso_code}") == ["Full Org"]
    assert names("age=quarter") == ["Associate Org"]
    assert names("q=associate") == ["Associate Org"]


def test_the_queue_query_count_does_not_grow_with_the_queue(
    staff_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(QUEUE).status_code == 200
        return len(context.captured_queries)

    submitted()
    few = count()
    for _ in range(15):
        submitted()
    assert count() == few


def test_possible_duplicates_are_flagged_by_name_ignoring_accents_and_by_domain(staff_client):
    first = submitted(org_name="Protection Enfance Mali", focal_email="a@pem.example.org")
    same_name = submitted(org_name="PROTECTION ENFANCE MALÍ", focal_email="b@other.example.org")
    same_domain = submitted(org_name="Another name", focal_email="c@pem.example.org")
    webmail_1 = submitted(org_name="Webmail one", focal_email="x@gmail.com")
    webmail_2 = submitted(org_name="Webmail two", focal_email="y@gmail.com")
    member = MembershipFactory(partner__name_en="Existing Member", email_domain="member.example")
    like_member = submitted(org_name="existing member", focal_email="z@member.example")

    flags = {
        application.pk: (application.duplicate_name, application.duplicate_domain)
        for application in Application.objects.with_duplicate_flags()
    }
    assert flags[first.pk] == (True, True)
    assert flags[same_name.pk] == (True, False)
    assert flags[same_domain.pk] == (False, True)
    assert flags[webmail_1.pk] == flags[webmail_2.pk] == (False, False)
    assert flags[like_member.pk] == (True, True)
    html = staff_client.get(QUEUE).content.decode()
    assert "same name" in html and "same e-mail domain" in html
    detail = staff_client.get(f"{QUEUE}{like_member.pk}/change/").content.decode()
    assert f"/admin/members/membership/{member.pk}/change/" in detail


def test_a_closed_application_does_not_count_as_a_duplicate():
    old = submitted(org_name="Same Name", focal_email="a@one.example")
    services.application_withdraw(application=old, actor=old.applicant)
    new = submitted(org_name="same name", focal_email="b@two.example")
    flagged = Application.objects.with_duplicate_flags().get(pk=new.pk)
    assert not flagged.duplicate_name


def post_action(client, action, applications, **extra):
    return client.post(
        f"{QUEUE}?status=all",
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [application.pk for application in applications],
            **extra,
        },
    )


def test_request_information_asks_for_a_message_on_an_intermediate_page(
    staff_client, django_capture_on_commit_callbacks
):
    application = submitted()
    page = post_action(staff_client, "request_information", [application])
    assert page.status_code == 200
    assert "Message to the applicant" in page.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    empty = post_action(staff_client, "request_information", [application], confirm="1", message="")
    assert empty.status_code == 200
    assert "This field is required" in empty.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = post_action(
            staff_client,
            "request_information",
            [application],
            confirm="1",
            message="Please send your PSEA policy.",
        )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == "information-requested"
    assert "Please send your PSEA policy." in mail.outbox[0].body


def test_approve_from_the_queue_creates_the_membership_and_a_second_approval_is_harmless(
    staff_client,
):
    application = submitted()
    for _ in range(2):
        response = post_action(staff_client, "approve", [application], confirm="1", message="")
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"
    assert Membership.objects.count() == 1


def test_an_action_refused_by_the_state_is_reported_not_applied(staff_client):
    withdrawn = ApplicationFactory(status="withdrawn")
    response = post_action(
        staff_client, "decline", [withdrawn], confirm="1", message="Not eligible."
    )
    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("Withdrawn" in message for message in messages)
    withdrawn.refresh_from_db()
    assert withdrawn.status == "withdrawn"


def test_start_review_action(staff_client):
    application = submitted()
    post_action(staff_client, "start_review", [application])
    application.refresh_from_db()
    assert application.status == "under-review"


def test_staff_export_one_person_data_as_json(staff_client):
    assert f"{QUEUE}person-data/" in staff_client.get(QUEUE).content.decode()
    application = submitted(focal_name="Awa Ndiaye")
    email = application.applicant.email
    page = staff_client.get(f"{QUEUE}person-data/?email={email}")
    assert page.status_code == 200
    response = staff_client.post(f"{QUEUE}person-data/", {"email": email, "export": "1"})
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["applications"][0]["focal_name"] == "Awa Ndiaye"


def test_staff_erase_one_person_only_after_confirming(staff_client):
    application = submitted(focal_name="Awa Ndiaye")
    email = application.applicant.email
    unconfirmed = staff_client.post(f"{QUEUE}person-data/", {"email": email, "erase": "1"})
    assert unconfirmed.status_code == 200
    assert "Tick the box" in unconfirmed.content.decode()
    application.refresh_from_db()
    assert application.focal_name == "Awa Ndiaye"
    confirmed = staff_client.post(
        f"{QUEUE}person-data/", {"email": email, "erase": "1", "confirm_erase": "yes"}
    )
    assert confirmed.status_code == 302
    application.refresh_from_db()
    assert application.focal_name == "" and application.applicant is None


def test_an_unknown_email_on_the_person_data_page_is_a_form_error(staff_client):
    response = staff_client.get(f"{QUEUE}person-data/?email=nobody@example.org")
    assert response.status_code == 200
    assert "No account has this e-mail address." in response.content.decode()


def test_reviewers_and_content_editors_edit_the_how_to_get_involved_text_in_four_languages(
    client,
):
    from members import seed
    from members.models import MembershipTier

    seed.load()
    tier = MembershipTier.objects.get(type="full")
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=CONTENT_EDITORS))
    for user in (reviewer(), editor):
        client.force_login(user)
        page = client.get(f"/admin/members/membershiptier/{tier.pk}/change/")
        assert page.status_code == 200
        html = page.content.decode()
        for lang in ("en", "fr", "es", "ar"):
            assert f'name="summary_{lang}"' in html
    response = client.post(
        f"/admin/members/membershiptier/{tier.pk}/change/",
        {
            "type": "full",
            "order": 1,
            "title_en": "Full members",
            "title_fr": "Membres",
            "title_es": "",
            "title_ar": "",
            "summary_en": "Organisations of every kind.",
            "summary_fr": "",
            "summary_es": "",
            "summary_ar": "",
            "criteria_en": "",
            "criteria_fr": "",
            "criteria_es": "",
            "criteria_ar": "",
            "commitments_en": "",
            "commitments_fr": "",
            "commitments_es": "",
            "commitments_ar": "",
        },
    )
    assert response.status_code == 302
    assert "Organisations of every kind." in client.get("/en/membership/").content.decode()
    # French falls back to English where the editor left a translation empty.
    assert "Organisations of every kind." in client.get("/fr/membership/").content.decode()


def test_approving_a_name_another_account_holds_waits_for_the_reviewer_choice(staff_client):
    from tests.initiatives.factories import CountryFactory

    owner = UserFactory()
    member = MembershipFactory(partner__name_en="Enfance Sécurité", user=owner)
    member.countries.set([CountryFactory()])
    countries = list(member.countries.all())
    application = submitted(org_name="ENFANCE SECURITE")
    other = submitted(org_name="Unrelated Org")
    page = post_action(staff_client, "approve", [application, other])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Same name as an existing member" in html
    assert f"/admin/members/membership/{member.pk}/change/" in html
    assert owner.email in html
    assert f'name="same_name_{application.pk}"' in html
    assert f'name="same_name_{other.pk}"' not in html
    # Confirming without a choice approves nothing and says what is missing.
    unchosen = post_action(staff_client, "approve", [application, other], confirm="1", message="")
    assert unchosen.status_code == 200
    assert "This field is required" in unchosen.content.decode()
    for each in (application, other):
        each.refresh_from_db()
        assert each.status == "submitted"
    member.refresh_from_db()
    assert (member.user, list(member.countries.all())) == (owner, countries)
    done = post_action(
        staff_client,
        "approve",
        [application, other],
        confirm="1",
        message="",
        **{f"same_name_{application.pk}": "separate"},
    )
    assert done.status_code == 302
    for each in (application, other):
        each.refresh_from_db()
        assert each.status == "approved"
    member.refresh_from_db()
    assert (member.user, list(member.countries.all())) == (owner, countries)
    assert Membership.objects.count() == 3


def test_the_reviewer_can_say_the_applicant_now_represents_the_member(staff_client):
    owner = UserFactory()
    member = MembershipFactory(partner__name_en="Réseau Enfance", user=owner)
    application = submitted(org_name="reseau enfance")
    response = post_action(
        staff_client,
        "approve",
        [application],
        confirm="1",
        message="",
        **{f"same_name_{application.pk}": "same"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.user, member.application) == (application.applicant, application)
    assert Membership.objects.count() == 1


def test_a_match_that_appears_after_the_page_was_shown_is_asked_about_first(
    staff_client,
):
    application = submitted(org_name="Late Twin")
    page = post_action(staff_client, "approve", [application])
    assert "Same name as an existing member" not in page.content.decode()
    member = MembershipFactory(partner__name_en="Late Twin", user=UserFactory())
    response = post_action(staff_client, "approve", [application], confirm="1", message="")
    assert response.status_code == 200
    assert "Same name as an existing member" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    member.refresh_from_db()
    assert member.application is None


def test_the_action_reports_a_refusal_by_the_service_without_approving(staff_client, monkeypatch):
    """Should the match appear between the check and the approval, the service refuses
    and the reviewer reads why."""
    application = submitted(org_name="Racing Twin")
    MembershipFactory(partner__name_en="Racing Twin", user=UserFactory())
    from members.admin import applications as members_admin
    from members.forms import ApprovalForm

    # The page was shown before the match existed: its form asks nothing.
    monkeypatch.setattr(
        members_admin, "ApprovalForm", lambda data, conflicts: ApprovalForm(data, conflicts=())
    )
    response = post_action(staff_client, "approve", [application], confirm="1", message="")
    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("Nothing was approved" in message for message in messages)
    application.refresh_from_db()
    assert application.status == "submitted"


def offered_actions(html):
    """The reviewer actions a page offers: the change page's buttons or the list's menu."""
    names = ("start_review", "request_information", "approve", "decline")
    return {
        name for name in names if f'/decide/{name}/"' in html or f'<option value="{name}"' in html
    }


def test_an_application_page_offers_only_the_actions_its_state_allows(staff_client):
    application = submitted()
    page = staff_client.get(f"{QUEUE}{application.pk}/change/").content.decode()
    assert offered_actions(page) == {"start_review", "request_information", "approve", "decline"}
    services.application_approve(application=application, actor=reviewer())
    page = staff_client.get(f"{QUEUE}{application.pk}/change/").content.decode()
    assert offered_actions(page) == set()
    assert "Approve…" not in page


def test_the_approve_button_on_the_page_asks_for_the_message_then_approves(staff_client):
    application = submitted()
    page = staff_client.get(f"{QUEUE}{application.pk}/change/").content.decode()
    decide = f"{QUEUE}{application.pk}/decide/approve/"
    assert f'action="{decide}"' in page
    form = staff_client.post(decide)
    assert "Message to the applicant" in form.content.decode()
    done = staff_client.post(decide, {"confirm": "1", "message": "Welcome."})
    assert done.status_code == 302
    assert done["Location"] == f"{QUEUE}{application.pk}/change/"
    application.refresh_from_db()
    assert application.status == "approved"


def test_the_list_offers_the_actions_of_the_statuses_it_shows(staff_client):
    submitted()
    assert offered_actions(staff_client.get(QUEUE).content.decode()) == {
        "start_review",
        "request_information",
        "approve",
        "decline",
    }
    assert offered_actions(staff_client.get(f"{QUEUE}?status=approved").content.decode()) == set()
    assert offered_actions(
        staff_client.get(f"{QUEUE}?status=information-requested").content.decode()
    ) == {"decline"}


def test_a_button_on_a_page_left_open_after_another_decision_says_why_it_did_nothing(
    staff_client,
):
    """The page offered "Decline…"; meanwhile another reviewer approved the application.
    The decline is refused with the reason, not a server error, and nothing changes."""
    application = submitted()
    page = staff_client.get(f"{QUEUE}{application.pk}/change/").content.decode()
    assert "decline" in offered_actions(page)
    services.application_approve(application=application, actor=reviewer())
    response = post_action(staff_client, "decline", [application], confirm="1", message="No.")
    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any('Cannot decline an application that is "Approved"' in line for line in messages)
    application.refresh_from_db()
    assert application.status == "approved"


def test_erasing_a_person_from_the_shell_leaves_an_audit_line():
    from django.contrib.admin.models import LogEntry

    application = submitted(focal_name="Awa Ndiaye")
    person, staff = application.applicant, reviewer()
    services.person_erase(user=person, actor=staff)
    entry = LogEntry.objects.get(object_id=str(person.pk), user=staff)
    assert entry.object_repr == f"account #{person.pk}"
    assert "1 application(s) anonymised" in entry.get_change_message()
