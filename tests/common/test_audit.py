"""The audit trail: staff actions recorded by services show up, read-only, in admin."""

import pytest
from django.contrib.admin.models import LogEntry

from common import audit
from common.groups import CONTENT_EDITORS
from cpaor.models import Strategy
from tests.initiatives.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy():
    return Strategy.objects.create(title="Strategy 2025-2029", start_year=2025, end_year=2029)


def test_a_recorded_action_names_who_did_what_to_which_record(strategy):
    editor = UserFactory(is_staff=True, groups=[CONTENT_EDITORS])
    entry = audit.record(actor=editor, obj=strategy, message="Published the strategy")
    assert entry.user == editor
    assert entry.object_repr == str(strategy)
    assert entry.get_change_message() == "Published the strategy"
    assert list(audit.trail_for(strategy)) == [entry]


def test_bulk_actions_record_one_line_per_record(strategy):
    other = Strategy.objects.create(title="Strategy 2030", start_year=2030, end_year=2034)
    editor = UserFactory(is_staff=True)
    audit.record_many(actor=editor, objects=[strategy, other], message="Unpublished")
    assert LogEntry.objects.filter(change_message="Unpublished").count() == 2


def test_actions_without_a_person_are_not_attributed(strategy):
    assert audit.record(actor=None, obj=strategy, message="by the system") is None
    assert not LogEntry.objects.exists()


def test_superusers_read_the_trail_in_admin_and_nobody_can_edit_it(client, strategy):
    editor = UserFactory(is_staff=True, username="amina")
    audit.record(actor=editor, obj=strategy, message="Marked as the current strategy")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/admin/logentry/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Marked as the current strategy" in text
    assert "amina" in text
    entry = LogEntry.objects.get()
    assert client.get("/admin/admin/logentry/add/").status_code == 403
    change = client.post(f"/admin/admin/logentry/{entry.pk}/change/", {"change_message": "x"})
    assert change.status_code in (200, 403)
    entry.refresh_from_db()
    assert entry.change_message == "Marked as the current strategy"
    assert (
        client.post(f"/admin/admin/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_other_staff_cannot_read_the_trail(client, strategy):
    client.force_login(UserFactory(is_staff=True, groups=[CONTENT_EDITORS]))
    assert client.get("/admin/admin/logentry/").status_code == 403


def staff_trail():
    return list(
        LogEntry.objects.order_by("pk").values_list(
            "user__username", "object_repr", "change_message"
        )
    )


def test_publishing_resources_in_admin_is_in_the_trail(client):
    from resources.models import Resource
    from tests.resources.factories import ResourceFactory, resource_curator

    curator = resource_curator()
    draft = ResourceFactory(status=Resource.Status.DRAFT, title_en="Case management toolkit")
    client.force_login(curator)
    response = client.post(
        "/admin/resources/resource/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert (curator.username, "Case management toolkit", "Published") in staff_trail()


def test_pausing_a_newsletter_issue_is_in_the_trail(client):
    from newsletters.models import Issue
    from tests.newsletters.factories import IssueFactory, newsletter_editor

    editor = newsletter_editor()
    issue = IssueFactory(subject="November news", status=Issue.Status.SENDING)
    client.force_login(editor)
    response = client.post(f"/admin/newsletters/issue/{issue.pk}/pause/")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    assert [line[2] for line in staff_trail()] == ["pause: November news"]


def test_a_reviewers_decision_is_in_the_trail_but_an_applicants_submission_is_not():
    from members import services
    from tests.members.factories import ApplicationFactory, reviewer

    application = ApplicationFactory(org_name="Enfance Sans Frontières")
    services.application_submit(application=application, actor=application.applicant)
    assert staff_trail() == []
    person = reviewer()
    services.application_approve(application=application, actor=person)
    assert staff_trail() == [(person.username, str(application), "Status submitted → approved")]
