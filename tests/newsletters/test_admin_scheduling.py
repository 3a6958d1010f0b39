"""Scheduling an issue in the editor's own time zone: what they typed is read in the zone
they chose, stored in UTC, and shown with both; times that do not exist or happen twice
in that zone are refused with a clear message."""

import datetime

import pytest

from newsletters.models import Issue

from .factories import IssueFactory, newsletter_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(newsletter_editor())
    return client


def schedule(client, issue, when, zone=None):
    data = {"when": when} | ({"time_zone": zone} if zone else {})
    return client.post(f"/admin/newsletters/issue/{issue.pk}/schedule/", data, follow=True)


def test_a_time_in_beirut_is_stored_as_the_right_utc_instant_and_shown_with_both(editor_client):
    issue = IssueFactory()
    response = schedule(editor_client, issue, "2027-01-15T14:00", "Asia/Beirut")
    shown = "2027-01-15 14:00 Asia/Beirut (12:00 UTC)"
    assert f"Scheduled for {shown}." in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    assert issue.scheduled_at == datetime.datetime(2027, 1, 15, 12, 0, tzinfo=datetime.UTC)
    # Summer time in Beirut is UTC+3.
    schedule(editor_client, issue, "2027-07-15T14:00", "Asia/Beirut")
    issue.refresh_from_db()
    assert issue.scheduled_at == datetime.datetime(2027, 7, 15, 11, 0, tzinfo=datetime.UTC)
    shown = "2027-07-15 14:00 Asia/Beirut (11:00 UTC)"
    assert shown in editor_client.get("/admin/newsletters/issue/").content.decode()
    assert (
        shown in editor_client.get(f"/admin/newsletters/issue/{issue.pk}/change/").content.decode()
    )
    confirm = editor_client.get(f"/admin/newsletters/issue/{issue.pk}/schedule/").content.decode()
    assert f"Scheduled for: {shown}" in confirm


def test_the_zone_chosen_last_is_the_next_default(editor_client):
    first, second = IssueFactory(), IssueFactory()
    page = editor_client.get(f"/admin/newsletters/issue/{first.pk}/schedule/").content.decode()
    assert '<option value="UTC" selected>' in page
    schedule(editor_client, first, "2027-01-15T09:30", "Africa/Nairobi")
    page = editor_client.get(f"/admin/newsletters/issue/{second.pk}/schedule/").content.decode()
    assert '<option value="Africa/Nairobi" selected>' in page
    # Without a zone in the form, the remembered one applies.
    schedule(editor_client, second, "2027-01-15T09:30")
    second.refresh_from_db()
    assert second.scheduled_at == datetime.datetime(2027, 1, 15, 6, 30, tzinfo=datetime.UTC)


def test_a_time_the_clocks_skip_is_refused(editor_client):
    issue = IssueFactory()
    response = schedule(editor_client, issue, "2027-03-28T00:30", "Asia/Beirut")
    assert response.status_code == 400
    assert (
        "2027-03-28 00:30 does not exist in Asia/Beirut: the clocks skip that hour that day."
        in response.content.decode()
    )
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.DRAFT, None)


def test_a_time_that_happens_twice_is_refused(editor_client):
    issue = IssueFactory()
    response = schedule(editor_client, issue, "2027-10-30T23:30", "Asia/Beirut")
    assert response.status_code == 400
    assert "2027-10-30 23:30 happens twice in Asia/Beirut" in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_a_past_time_or_an_unknown_zone_is_refused(editor_client):
    issue = IssueFactory()
    past = schedule(editor_client, issue, "2020-01-01T10:00", "Asia/Beirut")
    assert past.status_code == 400
    assert "Choose a time in the future, or send now." in past.content.decode()
    unknown = schedule(editor_client, issue, "2027-01-15T10:00", "Mars/Olympus_Mons")
    assert unknown.status_code == 400
    assert "Select a valid choice." in unknown.content.decode()
    garbled = schedule(editor_client, issue, "next tuesday", "Asia/Beirut")
    assert garbled.status_code == 400
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
