"""The application's life as a state machine, driven by Hypothesis.

Random sequences of every action, allowed or not, on several applications, some named
like an existing member held by another account, some by that member's own account:
every status change has its history row, a refused action changes nothing, an approved
application has exactly one membership and no membership changes account or loses a
country unless the reviewer explicitly said it is the applicant's.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from members import services
from members.forms import CONSENT_TEXT, OrganisationApplicationForm
from members.models import Application, Membership
from tests.initiatives.factories import CountryFactory

from .factories import MembershipFactory, UserFactory, reviewer

pytestmark = pytest.mark.django_db

S = Application.Status
TWIN = "Enfance Sécurité"
NAMES = [TWIN, "ENFANCE SECURITE", "Réseau Nord", "Réseau Sud"]
# Where each action may start from, and where it leads.
ACTIONS = {
    "submit": ((S.DRAFT,), S.SUBMITTED),
    "start_review": ((S.SUBMITTED,), S.UNDER_REVIEW),
    "request_information": ((S.SUBMITTED, S.UNDER_REVIEW), S.INFORMATION_REQUESTED),
    "answer": ((S.INFORMATION_REQUESTED,), S.SUBMITTED),
    "approve": ((S.SUBMITTED, S.UNDER_REVIEW), S.APPROVED),
    "decline": ((S.SUBMITTED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED), S.DECLINED),
    "withdraw": ((S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.INFORMATION_REQUESTED), S.WITHDRAWN),
}


def memberships():
    return {
        membership.pk: (
            membership.user_id,
            membership.partner_id,
            set(membership.countries.values_list("pk", flat=True)),
        )
        for membership in Membership.objects.prefetch_related("countries")
    }


def history(application):
    return list(application.events.values_list("from_status", "to_status"))


class ApplicationLife(RuleBasedStateMachine):
    applications = Bundle("applications")

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.staff = reviewer(password=None)
        self.country = CountryFactory()
        self.owner = UserFactory(password=None)
        self.twin = MembershipFactory(partner__name_en=TWIN, user=self.owner)
        self.twin.countries.set([CountryFactory(), CountryFactory()])
        self.twin_countries = set(self.twin.countries.values_list("pk", flat=True))

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def form_data(self, name):
        return {
            "membership_type": "full",
            "org_name": name,
            "org_type": "national-ngo",
            "hq_country": str(self.country.pk),
            "countries": [str(self.country.pk)],
            "cp_work": "Case management.",
            "focal_name": "Awa Ndiaye",
            "focal_title": "Director",
            "focal_email": "awa@example.org",
            "motivation": "To coordinate.",
            "accepts_principles": "on",
            "accepts_cpms": "on",
            "accepts_code_of_conduct": "on",
            "consent": "on",
        }

    def save(self, application, applicant, name):
        form = OrganisationApplicationForm(self.form_data(name), instance=application)
        assert form.is_valid(), form.errors
        return services.application_save_draft(
            application=application,
            kind=form.KIND,
            values=form.cleaned_data,
            actor=applicant,
            consent_text=CONSENT_TEXT,
            language="en",
        )

    @rule(target=applications, name=st.sampled_from(NAMES), own=st.booleans())
    def start(self, name, own):
        applicant = self.owner if own else UserFactory(password=None)
        application = self.save(None, applicant, name)
        assert history(application) == [("", S.DRAFT)]
        return application

    def attempt(self, application, action, call, *, conflict=False):
        """Run call and check the outcome against ACTIONS; returns whether it moved."""
        application.refresh_from_db()
        before_status, before_history = application.status, history(application)
        before_members = memberships()
        allowed, target = ACTIONS[action]
        try:
            call()
        except services.TransitionNotAllowed:
            assert before_status not in allowed and before_status != target
        except services.SameNameMember:
            assert conflict and before_status in allowed
        else:
            application.refresh_from_db()
            if before_status == target:
                assert history(application) == before_history  # a harmless repeat
                return False
            assert before_status in allowed, (action, before_status)
            assert application.status == target
            assert history(application) == [*before_history, (before_status, target)]
            return True
        application.refresh_from_db()
        assert application.status == before_status
        assert history(application) == before_history
        assert memberships() == before_members
        return False

    @rule(application=applications, name=st.sampled_from(NAMES))
    def save_draft(self, application, name):
        application.refresh_from_db()
        before = (application.status, history(application), application.org_name)
        try:
            self.save(application, application.applicant, name)
        except services.TransitionNotAllowed:
            assert before[0] != S.DRAFT
            application.refresh_from_db()
            assert (application.status, history(application), application.org_name) == before
        else:
            assert before[0] == S.DRAFT
            application.refresh_from_db()
            assert application.org_name == name and history(application) == before[1]

    @rule(application=applications)
    def submit(self, application):
        self.attempt(
            application,
            "submit",
            lambda: services.application_submit(
                application=application, actor=application.applicant
            ),
        )

    @rule(application=applications)
    def start_review(self, application):
        self.attempt(
            application,
            "start_review",
            lambda: services.application_start_review(application=application, actor=self.staff),
        )

    @rule(application=applications)
    def request_information(self, application):
        self.attempt(
            application,
            "request_information",
            lambda: services.application_request_information(
                application=application, actor=self.staff, message="Which provinces?"
            ),
        )

    @rule(application=applications)
    def answer(self, application):
        self.attempt(
            application,
            "answer",
            lambda: services.application_answer(
                application=application, actor=application.applicant, answer="Two."
            ),
        )

    @rule(
        application=applications,
        choice=st.sampled_from([None, services.SameName.SEPARATE, services.SameName.SAME]),
    )
    def approve(self, application, choice):
        application.refresh_from_db()
        conflict = services.same_name_member(application)
        before = memberships()
        moved = self.attempt(
            application,
            "approve",
            lambda: services.application_approve(
                application=application, actor=self.staff, same_name=choice
            ),
            conflict=conflict is not None and choice is None,
        )
        if not moved:
            return
        assert conflict is None or choice is not None
        membership = Membership.objects.get(application=application)
        assert membership.user_id == application.applicant_id
        after = memberships()
        for pk, (user, partner, countries) in before.items():
            assert after[pk][1] == partner
            assert countries <= after[pk][2], "a member lost a country"
            if after[pk][0] != user:
                # Only the membership the reviewer said is the applicant's changes account.
                assert conflict is not None and choice == services.SameName.SAME
                assert pk == conflict.pk == membership.pk
        if conflict is not None and choice == services.SameName.SEPARATE:
            assert membership.pk != conflict.pk and membership.partner_id != conflict.partner_id

    @rule(application=applications)
    def decline(self, application):
        self.attempt(
            application,
            "decline",
            lambda: services.application_decline(
                application=application, actor=self.staff, note="No."
            ),
        )

    @rule(application=consumes(applications))
    def withdraw(self, application):
        self.attempt(
            application,
            "withdraw",
            lambda: services.application_withdraw(
                application=application, actor=application.applicant
            ),
        )

    @invariant()
    def every_status_has_its_history(self):
        for application in Application.objects.prefetch_related("events"):
            steps = [(event.from_status, event.to_status) for event in application.events.all()]
            assert steps[0] == ("", S.DRAFT)
            for (_, reached), (left, _) in zip(steps, steps[1:], strict=False):
                assert left == reached, steps
            assert steps[-1][1] == application.status

    @invariant()
    def the_member_never_loses_a_country(self):
        kept = set(self.twin.countries.values_list("pk", flat=True))
        assert self.twin_countries <= kept


def test_the_application_state_machine_keeps_its_invariants():
    run_state_machine_as_test(
        ApplicationLife,
        settings=settings(
            max_examples=15,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
