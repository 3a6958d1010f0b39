import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from alerts.models import LanguageWatch, SearchAlert
from tests.newsletters.factories import SubscriberFactory


class SearchAlertFactory(DjangoModelFactory):
    """A confirmed weekly alert whose period started now."""

    class Meta:
        model = SearchAlert

    subscriber = factory.SubFactory(SubscriberFactory)
    query = ""
    label = "Every new resource"
    frequency = "weekly"
    language = "en"
    confirmed_at = factory.LazyFunction(timezone.now)
    last_sent_through = factory.LazyFunction(timezone.now)


class LanguageWatchFactory(DjangoModelFactory):
    class Meta:
        model = LanguageWatch

    subscriber = factory.SubFactory(SubscriberFactory)
    language = "fr"
    confirmed_at = factory.LazyFunction(timezone.now)
