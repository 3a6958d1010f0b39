"""The daily run: which alerts are due, what their digests list, and how each is sent."""

import datetime

import pytest
import time_machine
from django.core import mail as outbox
from django.utils import timezone

from alerts import services
from alerts.models import Digest, SearchAlert
from newsletters.models import Subscriber
from resources.models import Resource
from tests.alerts.factories import LanguageWatchFactory, SearchAlertFactory
from tests.newsletters.factories import SubscriberFactory
from tests.newsletters.smtp import Server
from tests.resources.factories import ResourceFactory, VersionFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


def days(n):
    return START + datetime.timedelta(days=n)


def published(**kwargs):
    return ResourceFactory(published_at=timezone.now(), **kwargs)


def test_a_weekly_digest_lists_the_new_matching_resources_once(
    queued_digests, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        reader = SubscriberFactory(language="fr", email="lectrice@example.org")
        alert = SearchAlertFactory(subscriber=reader, query="type=toolkit", language="fr")
        ResourceFactory(type="toolkit", published_at=timezone.now())  # before the alert
    with time_machine.travel(days(2), tick=False):
        new = published(type="toolkit", title_en="Case management", title_fr="Gestion de cas")
        VersionFactory(resource=new, language="fr")
        published(type="guidance")  # another type
        ResourceFactory(type="toolkit", status=Resource.Status.DRAFT)
    with time_machine.travel(days(6), tick=False):
        assert services.alerts_daily()["planned"] == 0  # not a week yet
    with time_machine.travel(days(7), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_daily()["planned"] == 1
        assert services.alerts_daily()["planned"] == 0  # a second run the same day
    digest = Digest.objects.get()
    assert digest.resource_ids == [new.pk]
    assert queued_digests == [digest.pk]

    assert services.digest_send(digest_id=digest.pk) == "sent"
    assert services.digest_send(digest_id=digest.pk) == "busy"  # a repeated task
    (message,) = outbox.outbox
    assert message.to == ["lectrice@example.org"]
    assert message.extra_headers["Content-Language"] == "fr"
    assert "Gestion de cas" in message.body  # the reader's language
    assert f"http://testserver/r/{new.pk}/" in message.body
    unsubscribe = "http://testserver/fr/alerts/unsubscribe/"
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(f"<{unsubscribe}")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == f"<alert-digest-{digest.pk}@testserver>"
    assert message.message().get_content_type() == "text/plain"  # plain text only
    alert.refresh_from_db()
    assert alert.last_sent_through == days(7)


def test_with_nothing_new_nothing_is_sent_but_the_period_moves_on(queued_digests):
    with time_machine.travel(START, tick=False):
        alert = SearchAlertFactory(query="type=toolkit")
        published(type="guidance")
    with time_machine.travel(days(8), tick=False):
        assert services.alerts_daily()["planned"] == 0
    assert not Digest.objects.exists()
    alert.refresh_from_db()
    assert alert.last_sent_through == days(8)


def test_a_monthly_alert_waits_a_month_and_words_are_searched():
    with time_machine.travel(START, tick=False):
        alert = SearchAlertFactory(frequency="monthly", query="q=reunification")
    with time_machine.travel(days(3), tick=False):
        match = published(title_en="Family reunification guidance")
        published(title_en="Something else")
    with time_machine.travel(days(27), tick=False):
        services.alerts_daily()
        assert not Digest.objects.exists()
    with time_machine.travel(days(31), tick=False):  # 1 April: a month after 1 March
        services.alerts_daily()
    assert Digest.objects.get(alert=alert).resource_ids == [match.pk]


def test_an_unconfirmed_alert_gets_nothing():
    with time_machine.travel(START, tick=False):
        SearchAlertFactory(confirmed_at=None, last_sent_through=None)
    with time_machine.travel(days(2), tick=False):
        published()
    with time_machine.travel(days(30), tick=False):
        services.alerts_daily()
    assert not Digest.objects.exists()


def _digest_for(email):
    alert = SearchAlertFactory(subscriber=SubscriberFactory(email=email))
    return Digest.objects.create(
        alert=alert,
        period_start=timezone.now(),
        period_end=timezone.now(),
        resource_ids=[published().pk],
    )


def test_one_bad_address_is_that_rows_failure(serve):
    server = serve(
        Server(
            refuse={"gone@example.org": "550 5.1.1 No such user", "full@example.org": "452 Full"}
        )
    )
    bad, busy, good = (_digest_for(f"{n}@example.org") for n in ("gone", "full", "reader"))
    outcomes = [services.digest_send(digest_id=d.pk) for d in (bad, busy, good)]
    assert outcomes == ["failed", "retry", "sent"]
    for digest in (bad, busy, good):
        digest.refresh_from_db()
    assert bad.status == Digest.Status.FAILED and "No such user" in bad.last_error
    assert busy.status == Digest.Status.PENDING and busy.next_attempt_at is not None
    assert good.status == Digest.Status.SENT
    assert [recipient for recipient, _ in server.messages] == ["reader@example.org"]


def test_a_reader_who_bounced_or_complained_is_skipped():
    digest = _digest_for("bounced@example.org")
    Subscriber.objects.filter(pk=digest.alert.subscriber_id).update(
        status=Subscriber.Status.BOUNCED
    )
    assert services.digest_send(digest_id=digest.pk) == "skipped"
    assert outbox.outbox == []


def test_a_watcher_hears_once_when_the_resource_is_in_their_language(
    eager_celery, django_capture_on_commit_callbacks
):
    resource = published(title_en="Minimum standards", title_ar="المعايير الدنيا")
    VersionFactory(resource=resource, language="en")
    reader = SubscriberFactory(language="ar", email="qari@example.org")
    watch = LanguageWatchFactory(subscriber=reader, resource=resource, language="ar")
    LanguageWatchFactory(resource=resource, language="ar", confirmed_at=None)  # unconfirmed
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_daily()["notified"] == 0
    VersionFactory(resource=resource, language="ar")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.alerts_daily()
    (message,) = outbox.outbox
    assert message.to == ["qari@example.org"]
    assert "المعايير الدنيا" in message.body
    assert f"http://testserver/r/{resource.pk}/" in message.body
    watch.refresh_from_db()
    assert watch.notified_at is not None
    assert SearchAlert.objects.count() == 0


def test_a_digest_left_pending_by_a_crash_is_queued_again_by_the_next_run(queued_digests):
    with time_machine.travel(START, tick=False):
        lost = _digest_for("lost@example.org")
        waiting = _digest_for("waiting@example.org")
        Digest.objects.filter(pk=waiting.pk).update(next_attempt_at=days(3))
        sent = _digest_for("sent@example.org")
        Digest.objects.filter(pk=sent.pk).update(status=Digest.Status.SENT)
    with time_machine.travel(days(1), tick=False):
        services.alerts_daily()
    assert queued_digests == [lost.pk]
    with time_machine.travel(days(4), tick=False):
        services.alerts_daily()
    assert sorted(queued_digests) == sorted([lost.pk, lost.pk, waiting.pk])
