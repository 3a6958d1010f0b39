import factory
from django.db import connection
from factory.django import DjangoModelFactory

from common.groups import NEWSLETTER_EDITORS
from newsletters.models import Issue, NewsletterList, Subscriber, Subscription
from tests.initiatives.factories import UserFactory


class NewsletterListFactory(DjangoModelFactory):
    class Meta:
        model = NewsletterList

    name_en = factory.Sequence(lambda n: f"Newsletter {n}")
    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    language = "en"
    is_active = True


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscriber.Status.CONFIRMED


class IssueFactory(DjangoModelFactory):
    class Meta:
        model = Issue

    newsletter = factory.SubFactory(NewsletterListFactory)
    subject = factory.Sequence(lambda n: f"Issue {n}")
    preheader = "What happened this month"
    body = '<p>News from the <a href="/en/initiatives/">initiatives</a>.</p>'


def subscribe(subscriber, *newsletters):
    for newsletter in newsletters:
        Subscription.objects.create(subscriber=subscriber, newsletter=newsletter)
    return subscriber


def newsletter_editor():
    return UserFactory(is_staff=True, groups=[NEWSLETTER_EDITORS])


def bulk_subscribers(newsletter, statuses, prefix="bulk"):
    """Many subscribers in two statements (statuses: a list, one per subscriber); each
    is subscribed to newsletter. Returns their ids by status."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO newsletters_subscriber
                (email, name, language, status, token, created, updated)
            SELECT %s || '-' || n || '@example.org', '', 'en', s.status,
                   md5(random()::text || n), now(), now()
            FROM unnest(%s::text[]) WITH ORDINALITY AS s(status, n)
            RETURNING id, status
            """,
            [prefix, list(statuses)],
        )
        rows = cursor.fetchall()
        cursor.execute(
            """
            INSERT INTO newsletters_subscription (subscriber_id, newsletter_id, created)
            SELECT unnest(%s::bigint[]), %s, now()
            """,
            [[pk for pk, _ in rows], newsletter.pk],
        )
    by_status = {}
    for pk, status in rows:
        by_status.setdefault(status, []).append(pk)
    return by_status
