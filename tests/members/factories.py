import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from common.groups import MEMBERSHIP_REVIEWERS
from cpaor.models import User
from members.forms import CONSENT_TEXT
from members.models import Application, Membership
from tests.initiatives.factories import CountryFactory, PartnerFactory


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def ensure_reviewers_group():
    """The group as members' data migration makes it. A transactional test (browser) that
    ran earlier in this process flushed the migrations' rows, so run that migration's
    function again, on the migration state it was written for."""
    if Group.objects.filter(name=MEMBERSHIP_REVIEWERS, permissions__isnull=False).exists():
        return
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = "0002_reviewer_permissions"
    state = MigrationLoader(connection).project_state(("members", migration))
    importlib.import_module(f"members.migrations.{migration}").grant_permissions(state.apps, None)


def reviewer(**kwargs):
    ensure_reviewers_group()
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=MEMBERSHIP_REVIEWERS))
    return user


class ApplicationFactory(DjangoModelFactory):
    """A complete organisation application, still a draft."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    membership_type = "full"
    applicant_kind = "organisation"
    org_name = factory.Sequence(lambda n: f"Children First Alliance {n}")
    org_acronym = factory.Sequence(lambda n: f"CFA{n}")
    org_type = "national-ngo"
    hq_country = factory.SubFactory(CountryFactory)
    website = "https://cfa.example.net/"
    cp_work = "We run case management and child-friendly spaces in three provinces."
    focal_name = "Amina Diallo"
    focal_title = "Programme director"
    focal_email = factory.Sequence(lambda n: f"amina@cfa{n}.example.net")
    focal_phone = "+221 33 123 45 67"
    motivation = "To coordinate better with other child protection actors."
    accepts_principles = True
    accepts_cpms = True
    accepts_code_of_conduct = True
    commitments_accepted_at = factory.LazyFunction(timezone.now)
    consent_text = str(CONSENT_TEXT)
    consent_given_at = factory.LazyFunction(timezone.now)
    contact_email = factory.SelfAttribute("focal_email")
    language = "en"


class IndividualApplicationFactory(ApplicationFactory):
    membership_type = "associate"
    applicant_kind = "individual"
    org_name = ""
    org_acronym = ""
    org_type = ""
    hq_country = None
    cp_work = ""
    focal_name = ""
    focal_title = ""
    focal_email = ""
    focal_phone = ""
    website = ""
    person_name = "Jean Martin"
    affiliation = "University of Geneva"
    expertise = "Child protection case management"
    person_country = factory.SubFactory(CountryFactory)
    contact_email = factory.SelfAttribute("applicant.email")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    type = "full"
    partner = factory.SubFactory(PartnerFactory)
    org_type = "international-ngo"
    member_since = factory.LazyFunction(timezone.localdate)
