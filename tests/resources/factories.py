import datetime

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory

from common.groups import CONTENT_EDITORS, RESOURCE_CURATORS
from resources.models import Resource, ResourceVersion, Topic
from resources.services import resource_update_search_vector
from tests.initiatives.factories import UserFactory

from .files import pdf_bytes


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    name_en = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class ResourceFactory(DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title_en = factory.Sequence(lambda n: f"Resource {n}")
    slug = factory.Sequence(lambda n: f"resource-{n}")
    summary_en = "A short summary of the resource for child protection coordinators."
    type = Resource.Type.GUIDANCE
    publication_date = datetime.date(2019, 1, 1)
    status = Resource.Status.PUBLISHED

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def initiatives(self, create, extracted, **kwargs):
        if create and extracted:
            self.initiatives.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def publishers(self, create, extracted, **kwargs):
        if create and extracted:
            self.publishers.set(extracted)

    @factory.post_generation
    def indexed(self, create, extracted, **kwargs):
        if create:
            resource_update_search_vector(self.pk)


class VersionFactory(DjangoModelFactory):
    """A version with an uploaded PDF."""

    class Meta:
        model = ResourceVersion

    resource = factory.SubFactory(ResourceFactory)
    language = "en"
    file = factory.LazyFunction(lambda: ContentFile(pdf_bytes(["Some text"]), name="doc.pdf"))
    file_format = "pdf"


class LinkVersionFactory(VersionFactory):
    file = ""
    file_format = ""
    external_url = "https://example.org/document.pdf"


def resource_curator():
    return UserFactory(is_staff=True, groups=[RESOURCE_CURATORS])


def content_editor():
    return UserFactory(is_staff=True, groups=[CONTENT_EDITORS])
