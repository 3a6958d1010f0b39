"""Members renew each year: reminders 30 and 7 days before, the one-click link, the
members' area, lapsing after the grace period, and what staff see in admin."""

import datetime
import logging
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import formats, translation

from common import audit
from common.models import OutboundEmail
from members import services
from members.forms import FORMS
from members.models import FocalPoint, Membership, RenewalReminder
from members.tasks import renewals_daily

from .factories import MembershipFactory, UserFactory, reviewer

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 3, 31)
BUTTON = "I confirm these commitments: renew the membership"


def day(date):
    """Travel to 09:00 UTC on date, the clock standing still."""
    return time_machine.travel(
        datetime.datetime(date.year, date.month, date.day, 9, tzinfo=datetime.UTC), tick=False
    )


def before(days, due=DUE):
    return due - datetime.timedelta(days=days)


def member(*, due=DUE, language="en", focal_points=1, **kwargs):
    """An organisation member due for renewal on `due`, with verified focal points."""
    membership = MembershipFactory(renewal_due=due, language=language, **kwargs)
    for _ in range(focal_points):
        FocalPoint.objects.create(membership=membership, user=UserFactory())
    # As approval leaves it: the applicant's account holds the membership.
    membership.user = getattr(membership.focal_points.first(), "user", None)
    membership.save(update_fields=["user"])
    return membership


def emails(membership=None, kind="renewal_reminder"):
    rows = OutboundEmail.objects.filter(context__kind=kind).order_by("pk")
    if membership is not None:
        rows = rows.filter(context__membership_id=membership.pk)
    return list(rows)


def link_in(body):
    return re.search(r"http://testserver(/\S+/renew/\S+/)", body).group(1)


def listed(response, membership):
    """Whether the page links to this member by name (not a longer name beginning so)."""
    return f">{membership}</a>" in response.content.decode()


def in_directory(client, membership):
    link = reverse("directory:member", args=[membership.partner.slug])
    return f'href="{link}"' in client.get(reverse("directory:index")).content.decode()


def run_daily(date):
    with day(date):
        renewals_daily.delay()


def test_reminders_go_30_and_then_7_days_before_the_renewal_date():
    membership = member(focal_points=2)
    addresses = sorted(focal.user.email for focal in membership.focal_points.all())

    run_daily(before(31))
    assert emails() == []
    run_daily(before(30))
    first = emails(membership)
    assert sorted(address for row in first for address in row.to) == addresses
    assert all(len(row.to) == 1 for row in first)  # each its own link, nobody's address shown
    assert "March 31, 2027" in first[0].subject
    assert "in 30 days" in first[0].body
    run_daily(before(29))
    run_daily(before(8))
    assert len(emails(membership)) == 2
    run_daily(before(7))
    assert len(emails(membership)) == 4
    assert "in 7 days" in emails(membership)[-1].body
    run_daily(before(1))
    assert len(emails(membership)) == 4
    assert set(membership.renewal_reminders.values_list("due", "days_before")) == {
        (DUE, 30),
        (DUE, 7),
    }


def test_running_the_task_twice_the_same_day_sends_nothing_twice(
    django_capture_on_commit_callbacks,
):
    membership = member()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_daily(before(30))
        run_daily(before(30))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [membership.focal_points.get().user.email]
    assert RenewalReminder.objects.filter(membership=membership).count() == 1


def test_a_reminder_already_recorded_is_not_sent_again():
    """A second beat that raced the first finds the row (the unique pair) and sends nothing."""
    membership = member()
    RenewalReminder.objects.create(membership=membership, due=DUE, days_before=30)
    with day(before(30)):
        assert services.memberships_send_renewal_reminders() == 0
    assert emails() == []


def test_a_member_reached_late_gets_the_nearest_reminder_only():
    membership = member(due=before(-5, due=datetime.date(2027, 3, 1)))  # due 6 March
    run_daily(datetime.date(2027, 3, 1))
    assert [row.days_before for row in membership.renewal_reminders.all()] == [7]
    assert len(emails(membership)) == 1


def test_no_reminder_for_a_lapsed_member_nor_for_one_without_a_verified_address():
    lapsed = member(status=Membership.Status.LAPSED)
    unverified = member(focal_points=0)
    person = UserFactory()
    person.emailaddress_set.update(verified=False)
    FocalPoint.objects.create(membership=unverified, user=person)
    run_daily(before(30))
    assert emails() == []
    assert not RenewalReminder.objects.exists()
    # Once an address is verified, the reminder goes (nothing was recorded as sent).
    person.emailaddress_set.update(verified=True)
    run_daily(before(29))
    assert [row.to for row in emails()] == [[person.email]]
    assert not lapsed.renewal_reminders.exists()


def test_an_arabic_member_gets_the_reminder_in_arabic():
    membership = member(language="ar")
    run_daily(before(30))
    (row,) = emails(membership)
    assert row.headers["Content-Language"] == "ar"
    with translation.override("ar"):
        date = formats.date_format(DUE, "DATE_FORMAT")
        signature = translation.gettext("The CP AoR team")
        commitment = translation.gettext("accepts the humanitarian principles")
    assert signature != "The CP AoR team" and commitment != "accepts the humanitarian principles"
    assert date in row.subject and date in row.body
    assert "مارس" in date  # March, in Arabic
    assert signature in row.body
    assert commitment in row.body
    assert "/ar/" in link_in(row.body)


def test_the_link_shows_the_commitments_and_renews_for_a_year_from_the_old_date(client):
    membership = member()
    focal_point = membership.focal_points.get().user
    run_daily(before(30))
    path = link_in(emails(membership)[0].body)

    with day(before(20)):
        page = client.get(path)
        assert page.status_code == 200
        for label in (FORMS["organisation"].base_fields[n].label for n in services.COMMITMENTS):
            assert str(label) in page.content.decode()
        assert BUTTON in page.content.decode()
        assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()
        assert 'rel="canonical"' not in page.content.decode()
        membership.refresh_from_db()
        assert membership.renewal_due == DUE  # a GET changes nothing

        response = client.post(path)
        assert response.status_code == 302
        membership.refresh_from_db()
        # Renewed 20 days early: the next year starts from the old date, not from today.
        assert membership.renewal_due == datetime.date(2028, 3, 31)
        assert membership.confirmed_at.date() == before(20)
        (line,) = audit.trail_for(membership)
        assert line.user == focal_point
        assert "Renewed through the e-mailed link" in line.change_message

        # A second POST (the back button, a double click) changes nothing more.
        client.post(path)
        membership.refresh_from_db()
        assert membership.renewal_due == datetime.date(2028, 3, 31)
        assert audit.trail_for(membership).count() == 1
        page = client.get(path)
        assert page.status_code == 200
        assert BUTTON not in page.content.decode()
        assert "renewed for this year" in page.content.decode()


def test_a_changed_link_is_refused_with_a_clear_page(client):
    membership = member()
    run_daily(before(30))
    path = link_in(emails(membership)[0].body)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = path.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    with day(before(20)):
        for bad in (tampered, reverse("members:renewal_link", kwargs={"token": "nonsense"})):
            page = client.get(bad)
            assert page.status_code == 400
            assert "This link is not valid" in page.content.decode()
            assert client.post(bad).status_code == 400
    membership.refresh_from_db()
    assert membership.renewal_due == DUE


@pytest.mark.parametrize("token", ["a:b:c", "é" * 40, ":" * 10, "x" * 5000, "%00", ".eJy:1:2"])
def test_any_made_up_link_is_a_400_page_never_an_error(client, token):
    page = client.get(f"/en/membership/renew/{token}/")
    assert page.status_code == 400
    assert "This link is not valid" in page.content.decode()


def test_an_expired_link_says_so_with_410_and_changes_nothing(client):
    membership = member()
    run_daily(before(30))
    path = link_in(emails(membership)[0].body)
    with day(DUE + datetime.timedelta(days=30)):  # the last day of the grace period
        assert client.get(path).status_code == 200
    with day(DUE + datetime.timedelta(days=31)):
        page = client.get(path)
        assert page.status_code == 410
        assert "it has expired" in page.content.decode()
        assert "April 30, 2027" in page.content.decode()
        assert client.post(path).status_code == 410
    membership.refresh_from_db()
    assert membership.renewal_due == DUE


def test_a_link_of_someone_who_no_longer_represents_the_member_is_refused(client):
    membership = member()
    run_daily(before(30))
    path = link_in(emails(membership)[0].body)
    person = membership.focal_points.get().user
    person.is_active = False  # an account closed by staff
    person.save(update_fields=["is_active"])
    with day(before(20)):
        assert client.get(path).status_code == 404
    membership.focal_points.all().delete()
    with day(before(20)):
        page = client.get(path)
        assert page.status_code == 404
        assert "no longer represents the member" in page.content.decode()
        assert client.post(path).status_code == 404


def test_a_member_not_renewed_lapses_after_the_grace_period_and_leaves_the_directory(client):
    membership = member()
    run_daily(DUE + datetime.timedelta(days=30))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert in_directory(client, membership)

    run_daily(DUE + datetime.timedelta(days=31))
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LAPSED
    assert membership.lapsed_at.date() == DUE + datetime.timedelta(days=31)
    assert membership not in Membership.objects.in_directory()
    assert not in_directory(client, membership)
    # The trail says the portal lapsed it, with no person acting.
    (line,) = audit.trail_for(membership)
    assert line.user.username == audit.SYSTEM_USERNAME and not line.user.is_active
    assert not line.user.has_usable_password()
    assert line.change_message.startswith("Lapsed: not renewed by")
    (notice,) = emails(membership, kind="renewal_lapsed")
    assert "has lapsed" in notice.subject
    assert link_in(notice.body)
    # Lapsing again, or reminding a lapsed member, sends nothing more.
    run_daily(DUE + datetime.timedelta(days=32))
    assert len(emails(membership, kind="renewal_lapsed")) == 1
    (reminder,) = emails(membership)  # in the grace period, before: by its last day
    assert "April 30, 2027" in reminder.subject and "was due" in reminder.body


def test_a_lapsed_member_renewing_is_active_again_for_a_year_from_today(client):
    membership = member()
    run_daily(DUE + datetime.timedelta(days=31))
    (notice,) = emails(membership, kind="renewal_lapsed")
    renew_day = DUE + datetime.timedelta(days=45)
    with day(renew_day):
        assert client.post(link_in(notice.body)).status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.lapsed_at is None
    assert membership.renewal_due == datetime.date(2028, 5, 15)
    assert membership in Membership.objects.in_directory()


def test_the_members_area_shows_the_date_the_days_left_and_renews(client):
    membership = member()
    focal_point = membership.focal_points.get().user
    with day(before(100)):
        client.force_login(focal_point)  # sessions last two weeks: signed in on the day
        page = client.get(reverse("members:area")).content.decode()
        assert "Renewal due on March 31, 2027: 100 days left." in page
        assert "Renewing opens on March 1, 2027" in page
        renew = reverse("members:membership_renew", args=[membership.pk])
        assert renew not in page
        client.post(renew)  # too early: nothing happens
        membership.refresh_from_db()
        assert membership.renewal_due == DUE
    with day(before(12)):
        client.force_login(focal_point)
        page = client.get(reverse("members:area")).content.decode()
        assert "12 days left" in page
        assert renew in page
        confirm = client.get(renew).content.decode()
        assert BUTTON in confirm
        response = client.post(renew)
        assert response.status_code == 302
        assert response.url.endswith(f"#membership-{membership.pk}")
    membership.refresh_from_db()
    assert membership.renewal_due == datetime.date(2028, 3, 31)
    assert "members' area" in audit.trail_for(membership).get().change_message


def test_someone_who_is_not_a_focal_point_cannot_renew_from_the_area(client):
    membership = member()
    with day(before(10)):
        client.force_login(UserFactory())
        response = client.post(reverse("members:membership_renew", args=[membership.pk]))
        assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.renewal_due == DUE


def test_one_members_failure_is_theirs_and_the_others_are_reminded(monkeypatch, caplog):
    broken, fine = member(), member()
    real = services.renewal._email_focal_points

    def failing(membership, kind):
        if membership.pk == broken.pk:
            raise RuntimeError("template exploded")
        return real(membership, kind)

    monkeypatch.setattr(services.renewal, "_email_focal_points", failing)
    with caplog.at_level(logging.ERROR, logger="members.services.renewal"):
        run_daily(before(30))
    assert [row.context["membership_id"] for row in emails()] == [fine.pk]
    assert not broken.renewal_reminders.exists()
    assert f"membership {broken.pk}" in caplog.text
    # The next day it is tried again.
    monkeypatch.setattr(services.renewal, "_email_focal_points", real)
    run_daily(before(29))
    assert len(emails(broken)) == 1


def test_a_reminder_on_the_due_date_is_sent_when_configured(settings):
    settings.MEMBERSHIP_RENEWAL_REMINDER_DAYS = (30, 7, 0)
    membership = member()
    for date in (before(30), before(7), DUE, DUE + datetime.timedelta(days=1)):
        run_daily(date)
    assert len(emails(membership)) == 3
    assert "due for renewal today" in emails(membership)[-1].body


def test_the_beat_runs_the_renewals_every_day(settings):
    from cpaor.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["members-renewals"]
    assert entry["task"] == renewals_daily.name
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]  # once a day, every day
    assert (len(schedule.hour), len(schedule.minute), len(schedule.day_of_week)) == (1, 1, 7)
    assert settings.MEMBERSHIP_RENEWAL_REMINDER_DAYS == (30, 7)
    assert settings.MEMBERSHIP_GRACE_DAYS == 30


@pytest.mark.parametrize("size", [2, 12])
def test_staff_filter_members_by_renewal(client, django_assert_max_num_queries, size):
    with day(before(20)):
        staff_client = client
        staff_client.force_login(reviewer())
        soon = [member(focal_points=0) for _ in range(size)]
        overdue = member(due=before(25), focal_points=0)
        later = member(due=before(-60), focal_points=0)
        lapsed = member(status=Membership.Status.LAPSED, focal_points=0)
        url = reverse("admin:members_membership_changelist")
        with django_assert_max_num_queries(12):
            page = staff_client.get(url, {"renewal": "soon"})
        assert all(listed(page, m) for m in soon)
        assert not any(listed(page, m) for m in (overdue, later, lapsed))
        assert "Renewal due in 30 days" in page.content.decode()
        page = staff_client.get(url, {"renewal": "overdue"})
        assert listed(page, overdue) and not listed(page, soon[0])
        page = staff_client.get(url, {"renewal": "lapsed"})
        assert listed(page, lapsed) and not listed(page, overdue)
        page = staff_client.get(url).content.decode()
        assert "Renewal due" in page and "Commitments last confirmed" in page
