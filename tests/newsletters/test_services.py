import datetime
import time

import pytest
from django.core import mail as outbox
from django.db import IntegrityError
from django.utils import timezone

from newsletters import links, services
from newsletters.models import ConsentRecord, Delivery, Issue, Subscriber

from .factories import (
    IssueFactory,
    NewsletterListFactory,
    SubscriberFactory,
    bulk_subscribers,
    subscribe,
)

pytestmark = pytest.mark.django_db


def subscribe_request(email, *newsletters, form="page"):
    return services.subscriber_subscribe(
        email=email,
        list_ids=[n.pk for n in newsletters],
        language="en",
        form=form,
        consent_text="I agree.",
    )


def confirm_link_token(message):
    url = next(word for word in message.body.split() if "/confirm/" in word)
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_subscribing_creates_a_pending_subscriber_with_no_list_until_confirmed(
    eager_celery, django_capture_on_commit_callbacks
):
    newsletter = NewsletterListFactory()
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = subscribe_request("Reader@Example.ORG", newsletter)
    subscriber.refresh_from_db()
    assert subscriber.email == "Reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert not subscriber.subscriptions.exists()
    consent = subscriber.consents.get()
    assert consent.action == ConsentRecord.Action.REQUESTED
    assert consent.text == "I agree."
    assert list(consent.lists.all()) == [newsletter]
    assert len(outbox.outbox) == 1
    assert outbox.outbox[0].to == ["Reader@example.org"]
    assert "/en/newsletters/confirm/" in outbox.outbox[0].body


def test_subscribing_twice_with_another_case_is_harmless(
    eager_celery, django_capture_on_commit_callbacks
):
    newsletter = NewsletterListFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = subscribe_request("reader@example.org", newsletter)
        second = subscribe_request("READER@example.org", newsletter)
    assert first.pk == second.pk
    assert Subscriber.objects.count() == 1
    assert len(outbox.outbox) == 2
    # Both links work; the second click changes nothing.
    services.subscriber_confirm(token=confirm_link_token(outbox.outbox[0]))
    services.subscriber_confirm(token=confirm_link_token(outbox.outbox[1]))
    first.refresh_from_db()
    assert first.status == Subscriber.Status.CONFIRMED
    assert first.subscriptions.count() == 1
    assert first.consents.filter(action=ConsentRecord.Action.CONFIRMED).count() == 1


def test_the_database_refuses_a_second_subscriber_differing_only_in_case():
    SubscriberFactory(email="same@example.org")
    with pytest.raises(IntegrityError):
        SubscriberFactory(email="SAME@example.org")


def test_confirming_adds_only_the_lists_named_in_the_link():
    wanted, other = NewsletterListFactory(), NewsletterListFactory()
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING)
    token = links.confirm_token(subscriber, [wanted.pk])
    confirmed, lists = services.subscriber_confirm(token=token)
    assert confirmed.status == Subscriber.Status.CONFIRMED
    assert confirmed.confirmed_at is not None
    assert list(confirmed.lists.all()) == [wanted]
    assert lists == [wanted]
    assert other not in confirmed.lists.all()


def test_a_confirmation_link_expires_after_seven_days(monkeypatch):
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING)
    newsletter = NewsletterListFactory()
    now = time.time()
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: now - 7 * 86400 - 60)
        token = links.confirm_token(subscriber, [newsletter.pk])
    with pytest.raises(links.LinkError) as raised:
        services.subscriber_confirm(token=token)
    assert raised.value.expired
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_a_tampered_confirmation_link_is_refused():
    subscriber = SubscriberFactory(status=Subscriber.Status.PENDING)
    newsletter, other = NewsletterListFactory(), NewsletterListFactory()
    token = links.confirm_token(subscriber, [newsletter.pk])
    forged = links.confirm_token(subscriber, [other.pk])
    # The payload of one link with the signature of another.
    mixed = forged.rsplit(":", 2)[0] + ":" + token.split(":", 1)[1]
    for bad in (token[:-2] + "xx", mixed, "nonsense"):
        with pytest.raises(links.LinkError) as raised:
            services.subscriber_confirm(token=bad)
        assert not raised.value.expired
    assert not subscriber.subscriptions.exists()


def test_links_die_with_the_subscriber_token():
    subscriber = SubscriberFactory()
    token = links.manage_token(subscriber)
    assert services.subscriber_from_manage_token(token) == subscriber
    subscriber.token = "replaced"
    subscriber.save()
    with pytest.raises(links.LinkError):
        services.subscriber_from_manage_token(token)


def test_preferences_keep_exactly_the_chosen_lists():
    a, b, c = NewsletterListFactory(), NewsletterListFactory(), NewsletterListFactory()
    subscriber = subscribe(SubscriberFactory(), a, b)
    assert services.subscriber_set_lists(subscriber_id=subscriber.pk, list_ids=[b.pk, c.pk])
    assert set(subscriber.lists.all()) == {b, c}
    assert not services.subscriber_set_lists(subscriber_id=subscriber.pk, list_ids=[b.pk, c.pk])
    assert subscriber.consents.filter(action=ConsentRecord.Action.CHANGED).count() == 1


def test_choosing_no_list_is_an_unsubscription():
    a = NewsletterListFactory()
    subscriber = subscribe(SubscriberFactory(), a)
    services.subscriber_set_lists(subscriber_id=subscriber.pk, list_ids=[])
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.lists.exists()


def test_unsubscribing_twice_is_harmless_and_skips_pending_deliveries():
    newsletter = NewsletterListFactory()
    subscriber = subscribe(SubscriberFactory(), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    assert services.subscriber_unsubscribe(subscriber_id=subscriber.pk)
    assert not services.subscriber_unsubscribe(subscriber_id=subscriber.pk)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert Delivery.objects.get(subscriber=subscriber).status == Delivery.Status.SKIPPED
    assert subscriber.consents.filter(action=ConsentRecord.Action.UNSUBSCRIBED).count() == 1


def test_erasing_a_subscriber_removes_them_and_their_history():
    newsletter = NewsletterListFactory()
    subscriber = subscribe(SubscriberFactory(), newsletter)
    ConsentRecord.objects.create(subscriber=subscriber, action="requested", text="I agree.")
    assert services.subscriber_erase(subscriber_id=subscriber.pk)
    assert not services.subscriber_erase(subscriber_id=subscriber.pk)
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_starting_a_send_creates_one_delivery_per_confirmed_subscriber_of_the_list(_no_broker):
    newsletter, other = NewsletterListFactory(), NewsletterListFactory()
    ids = bulk_subscribers(
        newsletter, ["confirmed"] * 5 + ["pending"] * 2 + ["unsubscribed", "bounced"]
    )
    bulk_subscribers(other, ["confirmed"] * 3, prefix="other")
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    # Starting again (a double click, a retry) adds nobody.
    services.issue_send_now(issue_id=issue.pk)
    services.newsletters_watchdog()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    assert issue.started_at is not None
    assert set(issue.deliveries.values_list("subscriber_id", flat=True)) == set(ids["confirmed"])
    assert set(issue.deliveries.values_list("status", flat=True)) == {"pending"}
    assert _no_broker[0] == issue.pk


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("sent", "send_now"),
        ("cancelled", "send_now"),
        ("paused", "send_now"),
        ("draft", "pause"),
        ("sent", "pause"),
        ("draft", "resume"),
        ("cancelled", "resume"),
        ("sent", "cancel"),
        ("sending", "schedule"),
        ("sent", "schedule"),
    ],
)
def test_actions_that_do_not_apply_to_the_state_are_refused(status, action):
    issue = IssueFactory(status=status)
    services_action = {
        "send_now": lambda: services.issue_send_now(issue_id=issue.pk),
        "pause": lambda: services.issue_pause(issue_id=issue.pk),
        "resume": lambda: services.issue_resume(issue_id=issue.pk),
        "cancel": lambda: services.issue_cancel(issue_id=issue.pk),
        "schedule": lambda: services.issue_schedule(issue_id=issue.pk, when=timezone.now()),
    }[action]
    if (status, action) in {("sent", "send_now")}:
        # Sending what is already sent is a harmless retry, not an error.
        services_action()
    else:
        with pytest.raises(services.IssueStateError):
            services_action()
    issue.refresh_from_db()
    assert issue.status == status


def test_the_normal_life_of_an_issue(_no_broker):
    newsletter = NewsletterListFactory()
    subscribe(SubscriberFactory(), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    when = timezone.now() + datetime.timedelta(hours=1)
    services.issue_schedule(issue_id=issue.pk, when=when)
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.SCHEDULED, when)
    # Not due yet: the watchdog leaves it.
    services.newsletters_watchdog()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    Issue.objects.filter(pk=issue.pk).update(scheduled_at=timezone.now())
    assert services.newsletters_watchdog()["started"] == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    services.issue_pause(issue_id=issue.pk)
    services.issue_pause(issue_id=issue.pk)  # twice: harmless
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    services.issue_resume(issue_id=issue.pk)
    services.issue_resume(issue_id=issue.pk)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    services.issue_cancel(issue_id=issue.pk)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANCELLED
    assert set(issue.deliveries.values_list("status", flat=True)) == {"skipped"}


def test_the_watchdog_gives_back_claims_of_dead_workers_and_finishes_issues(settings):
    newsletter = NewsletterListFactory()
    a = subscribe(SubscriberFactory(), newsletter)
    b = subscribe(SubscriberFactory(), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS + 5)
    Delivery.objects.filter(subscriber=a).update(
        status="sending", claimed_at=long_ago, claimed_by="dead"
    )
    Delivery.objects.filter(subscriber=b).update(status="sent")
    result = services.newsletters_watchdog()
    assert result["released"] == 1
    assert Delivery.objects.get(subscriber=a).status == "pending"
    Delivery.objects.filter(subscriber=a).update(status="sent")
    assert services.newsletters_watchdog()["finished"] == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.finished_at is not None


def test_a_row_whose_worker_dies_every_time_is_given_up_and_the_issue_ends(settings):
    """Every claim counts, even when the worker dies (SIGKILL, time limit) before it can
    record anything: after NEWSLETTER_MAX_ATTEMPTS claims the row is handed out no more,
    the watchdog fails it with the reason, and the issue ends."""
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    newsletter = NewsletterListFactory()
    doomed = subscribe(SubscriberFactory(), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS + 5)
    for death in range(1, 4):
        [(_, subscriber_id, attempts)] = services._claim(issue.pk, f"dead-{death}", 10)
        assert (subscriber_id, attempts) == (doomed.pk, death)
        Delivery.objects.filter(issue=issue).update(claimed_at=long_ago)  # the lease runs out
        result = services.newsletters_watchdog()
        assert (result["released"], result["failed"]) == ((1, 0) if death < 3 else (0, 1))
    assert services._claim(issue.pk, "another", 10) == []
    row = Delivery.objects.get(issue=issue)
    assert (row.status, row.attempts) == ("failed", 3)
    assert "Given up after its last attempt" in row.last_error
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_rows_left_with_no_attempt_to_spare_end_failed(settings):
    """NEWSLETTER_MAX_ATTEMPTS lowered while rows wait for their retry: they are never
    claimed again, so the watchdog ends them instead of leaving the issue sending."""
    newsletter = NewsletterListFactory()
    subscribe(SubscriberFactory(), newsletter)
    issue = IssueFactory(newsletter=newsletter)
    services.issue_send_now(issue_id=issue.pk)
    Delivery.objects.filter(issue=issue).update(attempts=5, last_error="451 busy")
    settings.NEWSLETTER_MAX_ATTEMPTS = 5
    assert services._claim(issue.pk, "w1", 10) == []
    assert services.newsletters_watchdog()["failed"] == 1
    assert Delivery.objects.get(issue=issue).status == "failed"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_celery_beat_runs_the_watchdog_on_the_newsletter_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["newsletters-watchdog"]
    assert entry["task"] == "newsletters.watchdog"
    assert entry["schedule"] == settings.NEWSLETTER_WATCHDOG_SECONDS
    assert entry["options"]["queue"] == settings.NEWSLETTER_QUEUE
    # A dead worker's rows come back after the lease; a live chunk gives them up sooner.
    assert settings.NEWSLETTER_CHUNK_SECONDS < settings.NEWSLETTER_LEASE_SECONDS / 2


def test_the_starting_lists_load_once_and_keep_editors_changes():
    from newsletters import seed
    from newsletters.models import NewsletterList

    seed.load()
    NewsletterList.objects.filter(slug="global").update(name_en="Renamed by an editor")
    seed.load()
    assert NewsletterList.objects.count() == 4
    assert NewsletterList.objects.get(slug="global").name_en == "Renamed by an editor"
    assert set(NewsletterList.objects.values_list("language", flat=True)) == {
        "en",
        "ar",
        "fr",
        "es",
    }


def test_an_issue_paused_from_the_shell_leaves_an_audit_line(_no_broker):
    """No admin involved: the service itself writes who paused which issue."""
    from common import audit
    from tests.newsletters.factories import newsletter_editor

    editor = newsletter_editor()
    issue = IssueFactory(subject="May news")
    services.issue_send_now(issue_id=issue.pk, actor=editor)
    services.issue_pause(issue_id=issue.pk, actor=editor)
    services.issue_pause(issue_id=issue.pk, actor=editor)  # nothing to do: no second line
    lines = [(entry.user, entry.get_change_message()) for entry in audit.trail_for(issue)]
    assert lines == [(editor, "pause: May news"), (editor, "send: May news")]


def test_a_refused_action_leaves_no_audit_line():
    from common import audit
    from tests.newsletters.factories import newsletter_editor

    issue = IssueFactory(status="sent")
    with pytest.raises(services.IssueStateError, match="Cannot pause an issue that is sent."):
        services.issue_pause(issue_id=issue.pk, actor=newsletter_editor())
    assert not audit.trail_for(issue).exists()


def test_staff_marking_bounced_and_erasing_leave_audit_lines_without_the_address():
    from django.contrib.admin.models import LogEntry

    from tests.newsletters.factories import newsletter_editor

    editor = newsletter_editor()
    subscriber = subscribe(SubscriberFactory(email="gone@example.org"), NewsletterListFactory())
    assert services.subscriber_mark_bounced(subscriber_id=subscriber.pk, actor=editor)
    assert not services.subscriber_mark_bounced(subscriber_id=subscriber.pk, actor=editor)
    assert services.subscriber_erase(subscriber_id=subscriber.pk, actor=editor)
    lines = LogEntry.objects.filter(object_id=str(subscriber.pk)).order_by("pk")
    assert [(line.object_repr, line.change_message) for line in lines] == [
        ("gone@example.org", "Marked as bounced"),
        (f"subscriber #{subscriber.pk}", "Erased on the person's request"),
    ]


def test_where_a_person_unsubscribed_is_kept_as_the_form_they_used():
    newsletter = NewsletterListFactory()
    by_link = subscribe(SubscriberFactory(), newsletter)
    in_centre = subscribe(SubscriberFactory(), newsletter)
    services.subscriber_unsubscribe(subscriber_id=by_link.pk)
    services.subscriber_unsubscribe(subscriber_id=in_centre.pk, form=ConsentRecord.Form.PREFERENCES)
    action = ConsentRecord.Action.UNSUBSCRIBED
    assert by_link.consents.get(action=action).form == ""
    assert in_centre.consents.get(action=action).form == ConsentRecord.Form.PREFERENCES
