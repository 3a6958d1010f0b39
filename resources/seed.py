"""Starting content of the resource library: the resources the initiatives name.

Loaded by `manage.py load_starting_content`, after the initiatives. A resource that
exists (looked up by slug) is left alone, so a second run changes nothing and what a
curator changed in admin is never overwritten.

The resources come without a language version: a version needs a file or a link, and
the starting content has neither. The page shows the resource with its citation and
"not yet available here" until a curator attaches the PDF, whose page count is then
read from the file.
"""

import datetime

from django.db import transaction

from cpaor.seed import translated
from initiatives.models import Initiative
from initiatives.seed import PENDING_RESOURCES, THEMES

from .models import Resource, Topic
from .services import resource_update_search_vector

TOPICS = {"localisation-government-engagement": THEMES["localisation-government-engagement"]}

RESOURCES = [
    {
        "slug": "engaging-with-states-in-conflict-settings",
        "source": PENDING_RESOURCES[0],
        "type": Resource.Type.GUIDANCE,
        "topics": ["localisation-government-engagement"],
        "summary": "Key considerations for child protection coordinators on engaging with "
        "States, and with the authorities in control, in conflict settings and other "
        "situations of armed violence. Six pages.",
    },
]


def _load_topics():
    created = 0
    for order, (slug, names) in enumerate(TOPICS.items(), start=1):
        _topic, was_created = Topic.objects.get_or_create(
            slug=slug, defaults={"order": order, **translated("name", names)}
        )
        created += was_created
    return created


def _create_resource(data):
    source = data["source"]
    resource = Resource.objects.create(
        slug=data["slug"],
        title_en=source["title"],
        summary_en=data["summary"],
        type=data["type"],
        publication_date=datetime.date(source["year"], 1, 1),
        publication_precision=Resource.Precision.YEAR,
        status=Resource.Status.PUBLISHED,
    )
    resource.topics.set(Topic.objects.filter(slug__in=data["topics"]))
    resource.initiatives.set(Initiative.objects.filter(slug=source["initiative"]))
    resource_update_search_vector(resource.pk)


@transaction.atomic
def load(stdout=None):
    topics = _load_topics()
    existing = set(
        Resource.objects.filter(slug__in=[data["slug"] for data in RESOURCES]).values_list(
            "slug", flat=True
        )
    )
    resources = 0
    for data in RESOURCES:
        if data["slug"] not in existing:
            _create_resource(data)
            resources += 1
    if stdout is not None:
        stdout.write(
            f"Resources: created {resources} resources and {topics} topics; "
            "kept the rest as they are"
        )
