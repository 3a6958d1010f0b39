import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from common.groups import RESOURCE_CURATORS
from resources.models import Resource, ResourceVersion

from .factories import (
    LinkVersionFactory,
    ResourceFactory,
    TopicFactory,
    VersionFactory,
    resource_curator,
)

pytestmark = pytest.mark.django_db


def test_a_version_needs_a_file_or_a_link():
    resource = ResourceFactory()
    with pytest.raises(IntegrityError):
        ResourceVersion.objects.create(resource=resource, language="en")


def test_a_version_cannot_have_both_a_file_and_a_link():
    version = VersionFactory.build(resource=ResourceFactory(), external_url="https://x.org/a")
    with pytest.raises(ValidationError, match="not both"):
        version.full_clean()


def test_a_resource_has_one_version_per_language():
    version = LinkVersionFactory(language="fr")
    with pytest.raises(IntegrityError):
        LinkVersionFactory(resource=version.resource, language="fr")


def test_drafts_are_seen_only_by_people_who_may_edit_them():
    draft = ResourceFactory(status=Resource.Status.DRAFT)
    assert draft not in Resource.objects.visible_to(AnonymousUser())
    assert draft in Resource.objects.visible_to(resource_curator())


def test_resource_curators_may_edit_resources_and_nothing_else_of_staff():
    codenames = set(
        Group.objects.get(name=RESOURCE_CURATORS).permissions.values_list("codename", flat=True)
    )
    assert {"change_resource", "add_resourceversion", "delete_topic"} <= codenames
    assert "change_initiative" not in codenames
    assert "view_partner" in codenames


@pytest.mark.parametrize("field", ["title_en", "title_fr", "title_es", "title_ar"])
def test_every_translation_of_a_title_is_one_line_of_visible_text(field):
    resource = ResourceFactory()
    setattr(resource, field, "\u202etxt.exe")
    with pytest.raises(ValidationError) as refused:
        resource.full_clean()
    assert field in refused.value.message_dict


def test_a_topic_name_is_one_line_in_every_language():
    topic = TopicFactory(name_ar="موضوع\nثان")
    with pytest.raises(ValidationError) as refused:
        topic.full_clean()
    assert "name_ar" in refused.value.message_dict
