import datetime

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from common.groups import CONTENT_EDITORS, MEMBERSHIP_REVIEWERS
from cpaor.models import User
from initiatives.models import (
    Contact,
    Country,
    Initiative,
    Milestone,
    Objective,
    Partner,
    Region,
    Theme,
)


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    name_en = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    name_en = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class CountryFactory(DjangoModelFactory):
    class Meta:
        model = Country

    iso_code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name_en = factory.Sequence(lambda n: f"Country {n}")
    region = factory.SubFactory(RegionFactory)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name_en = factory.Sequence(lambda n: f"Partner organisation {n}")
    acronym_en = factory.Sequence(lambda n: f"PO{n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    website = "https://partner.example.org/"


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title_en = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary_en = "A short summary of what the initiative does for children."
    body_en = "<p>What the initiative does, in more words.</p>"
    status = Initiative.Status.ACTIVE
    is_published = True

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create and extracted:
            self.countries.set(extracted)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    initiative = factory.SubFactory(InitiativeFactory)
    order = factory.Sequence(int)
    text_en = factory.Sequence(lambda n: f"Objective {n}")


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    date = datetime.date(2017, 5, 1)
    precision = Milestone.Precision.MONTH
    title_en = factory.Sequence(lambda n: f"Workshop {n}")
    place_en = "Dakar"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    initiative = factory.SubFactory(InitiativeFactory)
    name = "Amina Diallo"
    role_en = "Coordinator"
    organisation_en = "CP AoR"
    email = "amina.diallo@example.org"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


def content_editor():
    return UserFactory(is_staff=True, groups=[CONTENT_EDITORS])


def membership_reviewer():
    return UserFactory(is_staff=True, groups=[MEMBERSHIP_REVIEWERS])
