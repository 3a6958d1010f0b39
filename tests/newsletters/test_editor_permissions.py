"""Newsletter editors reach what their work needs: the images of their issues and the
bounce reports, read only."""

import pytest
from django.contrib.auth.models import Group

from common.groups import NEWSLETTER_EDITORS
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=NEWSLETTER_EDITORS))
    client.force_login(user)
    return user


def test_editors_upload_images_and_read_bounce_reports(client, editor):
    assert editor.has_perm("newsletters.add_issueimage")
    assert editor.has_perm("newsletters.view_bouncereport")
    assert not editor.has_perm("newsletters.change_bouncereport")
    assert client.get("/admin/newsletters/bouncereport/").status_code == 200
    assert client.get("/admin/newsletters/issueimage/add/").status_code == 200


def test_marking_a_subscriber_bounced_in_admin_records_a_report(client, editor):
    from newsletters.models import BounceReport, Subscriber

    subscriber = Subscriber.objects.create(email="gone@example.org", status="confirmed")
    response = client.post(
        "/admin/newsletters/subscriber/",
        {"action": "mark_bounced", "_selected_action": [subscriber.pk]},
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == "bounced" and subscriber.bounced_at is not None
    report = BounceReport.objects.get(subscriber=subscriber)
    assert (report.kind, report.source) == ("hard", "admin")
    client.post(
        "/admin/newsletters/subscriber/",
        {"action": "mark_bounced", "_selected_action": [subscriber.pk]},
    )
    assert BounceReport.objects.filter(subscriber=subscriber).count() == 1


def test_an_address_that_is_no_issue_number_is_a_404_not_an_error(client, editor):
    assert client.get("/admin/newsletters/issue/abc/change/").status_code == 302  # to the list
    assert client.get("/admin/newsletters/issue/abc/change/", follow=True).status_code == 200
