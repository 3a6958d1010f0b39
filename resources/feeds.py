"""Atom feeds of newly published resources: all of them, per topic, per initiative.

Served under each language prefix, so /fr/resources/feed/ gives French titles (English
where a resource has no French title yet). Links are absolute from SITE_URL, the same base
as the pages' canonical links, whatever host the request came through.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from initiatives.models import Initiative

from .models import Resource, Topic

FEED_SIZE = 30


def absolute(path):
    return settings.SITE_URL + path


class LatestResourcesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj):
        return _("New in the CP AoR resource library")

    def subtitle(self, obj):
        return _(
            "Toolkits, guidance and reports for child protection coordination in "
            "humanitarian action, newest first."
        )

    def link(self, obj):
        return absolute(reverse("resources:list"))

    def feed_url(self, obj):
        return absolute(reverse("resources:feed"))

    def author_name(self, obj):
        return _("Global Child Protection Area of Responsibility")

    def resources(self, obj):
        return Resource.objects.published()

    def items(self, obj):
        return (
            self.resources(obj)
            .exclude(published_at=None)
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("order", "name")))
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        # One id per resource in every language's feed: readers treat it as one entry.
        return f"tag:{settings.SITE_URL.split('://', 1)[-1]},2024:resource:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated, item.published_at)

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class TopicResourcesFeed(LatestResourcesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return _("New resources on %(topic)s") % {"topic": obj.name}

    def link(self, obj):
        return absolute(reverse("resources:list") + f"?topic={obj.slug}")

    def feed_url(self, obj):
        return absolute(reverse("resources:topic_feed", kwargs={"slug": obj.slug}))

    def resources(self, obj):
        through = Resource.topics.through.objects.filter(topic=obj)
        return Resource.objects.published().filter(pk__in=through.values("resource_id"))


class InitiativeResourcesFeed(LatestResourcesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Initiative.objects.published(), slug=slug)

    def title(self, obj):
        return _("New resources of %(initiative)s") % {"initiative": obj.title}

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse("resources:initiative_feed", kwargs={"slug": obj.slug}))

    def resources(self, obj):
        through = Resource.initiatives.through.objects.filter(initiative=obj)
        return Resource.objects.published().filter(pk__in=through.values("resource_id"))
