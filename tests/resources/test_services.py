import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from common.audit import trail_for
from resources import services
from resources.models import Resource, ResourceVersion

from .factories import LinkVersionFactory, ResourceFactory, TopicFactory, VersionFactory
from .factories import resource_curator as curator

pytestmark = pytest.mark.django_db


def trail(resource):
    """The audit lines of a resource, oldest first."""
    return list(trail_for(resource).order_by("pk").values_list("change_message", flat=True))


def ids(resources):
    return [resource.pk for resource in resources]


def test_publishing_twice_is_harmless():
    drafts = [ResourceFactory(status=Resource.Status.DRAFT) for _ in range(2)]
    assert services.resource_publish(actor=None, resource_ids=ids(drafts)) == 2
    assert services.resource_publish(actor=None, resource_ids=ids(drafts)) == 0
    assert Resource.objects.published().count() == 2
    assert services.resource_unpublish(actor=None, resource_ids=ids(drafts[:1])) == 1


def test_marking_as_key():
    resource = ResourceFactory()
    assert services.resource_mark_key(actor=None, resource_ids=[resource.pk]) == 1
    resource.refresh_from_db()
    assert resource.is_key


def test_each_download_is_counted():
    resource = ResourceFactory()
    for _ in range(3):
        services.resource_register_download(resource_id=resource.pk)
    resource.refresh_from_db()
    assert resource.download_count == 3


def test_publishing_again_after_a_return_to_draft_keeps_the_first_publication_date():
    resource = ResourceFactory(status=Resource.Status.DRAFT)
    services.resource_publish(actor=None, resource_ids=[resource.pk])
    first = Resource.objects.get(pk=resource.pk).published_at
    assert first is not None
    services.resource_unpublish(actor=None, resource_ids=[resource.pk])
    services.resource_publish(actor=None, resource_ids=[resource.pk])
    services.resource_update(actor=None, resource_id=resource.pk, changes={"status": "draft"})
    services.resource_update(actor=None, resource_id=resource.pk, changes={"status": "published"})
    resource.refresh_from_db()
    assert (resource.status, resource.published_at) == ("published", first)


def test_each_action_of_a_curator_is_one_line_in_the_trail_and_repeating_it_adds_none():
    person = curator()
    resource = services.resource_create(
        actor=person, values={"slug": "kinship", "title_en": "Kinship care", "type": "toolkit"}
    )
    assert (resource.status, resource.published_at) == ("draft", None)
    for _ in range(2):
        services.resource_publish(actor=person, resource_ids=[resource.pk])
        services.resource_mark_key(actor=person, resource_ids=[resource.pk])
        services.resource_update(
            actor=person, resource_id=resource.pk, changes={"title_en": "Kinship care guide"}
        )
    assert trail(resource) == [
        "Created",
        "Published",
        "Marked as a key resource",
        "Changed title_en",
    ]
    assert {entry.user for entry in trail_for(resource)} == {person}


def test_the_seed_and_tasks_act_for_nobody_and_leave_no_line():
    resource = services.resource_create(
        actor=None,
        values={"slug": "seeded", "title_en": "Seeded", "type": "report", "status": "published"},
    )
    assert resource.published_at is not None
    assert not LogEntry.objects.exists()


def test_a_resource_is_created_with_its_relations_and_links_and_is_searchable_at_once():
    topic = TopicFactory()
    resource = services.resource_create(
        actor=curator(),
        values={
            "slug": "alternative-care",
            "title_en": "Alternative care in emergencies",
            "type": "guidance",
            "publication_date": datetime.date(2020, 1, 1),
            "status": "published",
        },
        relations={"topics": [topic.pk]},
        links=[services.Link("en", "https://example.org/care.pdf", page_count=12)],
    )
    assert list(resource.topics.all()) == [topic]
    version = resource.versions.get()
    assert (version.external_url, version.page_count, version.extraction_status) == (
        "https://example.org/care.pdf",
        12,
        ResourceVersion.Extraction.NOT_APPLICABLE,
    )
    assert list(Resource.objects.search("alternative care", "en")) == [resource]
    assert trail(resource) == ["Created and published"]


def test_values_the_model_refuses_are_refused_before_anything_is_written():
    ResourceFactory(slug="taken")
    with pytest.raises(ValidationError) as refused:
        services.resource_create(
            actor=curator(), values={"slug": "taken", "title_en": "Two\nlines", "type": "x"}
        )
    assert {"slug", "title_en", "type"} <= set(refused.value.message_dict)
    assert Resource.objects.count() == 1
    assert not LogEntry.objects.exists()


def test_an_update_writes_only_what_differs_and_nothing_when_nothing_does():
    topic, other = TopicFactory(), TopicFactory()
    resource = ResourceFactory(title_en="Kinship care", topics=[topic])
    LinkVersionFactory(resource=resource, language="fr")
    Resource.objects.filter(pk=resource.pk).update(
        updated=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    same = services.resource_update(
        actor=curator(),
        resource_id=resource.pk,
        changes={"title_en": "Kinship care"},
        relations={"topics": [topic.pk]},
        links=[services.Link("fr", "https://example.org/document.pdf")],
    )
    assert same.updated.year == 2020
    assert not LogEntry.objects.exists()

    services.resource_update(
        actor=curator(),
        resource_id=resource.pk,
        changes={"title_en": "Kinship care"},
        relations={"topics": [other.pk]},
        links=[services.Link("en", "https://example.org/en.pdf")],
    )
    assert list(resource.topics.all()) == [other]
    assert [(v.language, v.external_url) for v in resource.versions.all()] == [
        ("en", "https://example.org/en.pdf")
    ]
    assert trail(resource) == ["Changed topics, links"]


def test_a_link_never_replaces_an_uploaded_file():
    version = VersionFactory(language="en")
    with pytest.raises(ValidationError) as refused:
        services.resource_update(
            actor=None,
            resource_id=version.resource_id,
            changes={"title_en": "Changed"},
            links=[services.Link("en", "https://example.org/x.pdf")],
        )
    assert "uploaded file" in refused.value.message_dict["links"][0]
    version.refresh_from_db()
    assert version.file and not version.external_url
    assert version.resource.title_en != "Changed"
