import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from members import services
from members.models import Application, ApplicationEvent, Membership
from tests.initiatives.factories import CountryFactory, PartnerFactory

from .factories import (
    ApplicationFactory,
    IndividualApplicationFactory,
    MembershipFactory,
    UserFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db

S = Application.Status


def submitted(**kwargs):
    application = ApplicationFactory(**kwargs)
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    return application


def statuses(application):
    return list(application.events.values_list("from_status", "to_status"))


def test_submit_moves_a_complete_draft_and_records_who_and_when():
    application = ApplicationFactory()
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.submitted_at is not None
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        S.DRAFT,
        S.SUBMITTED,
        application.applicant,
    )
    assert event.created is not None


def test_submitting_twice_is_harmless():
    application = submitted()
    services.application_submit(application=application, actor=application.applicant)
    assert application.events.count() == 1


def test_an_incomplete_draft_cannot_be_submitted():
    application = ApplicationFactory(org_name="", accepts_cpms=False, consent_given_at=None)
    with pytest.raises(services.IncompleteApplication) as error:
        services.application_submit(application=application, actor=application.applicant)
    assert "organisation name" in str(error.value)
    assert "accepts the CPMS" in str(error.value)
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert not application.events.exists()


def test_the_whole_review_path_is_recorded_in_order():
    staff = reviewer()
    application = submitted()
    services.application_start_review(application=application, actor=staff)
    services.application_request_information(
        application=application, actor=staff, message="Please send your safeguarding policy."
    )
    services.application_answer(
        application=application, actor=application.applicant, answer="Attached to our website."
    )
    services.application_approve(application=application, actor=staff, note="Welcome.")
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert application.decided_at is not None
    assert statuses(application) == [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.INFORMATION_REQUESTED),
        (S.INFORMATION_REQUESTED, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
    ]
    notes = list(application.events.values_list("note", flat=True))
    assert notes[2] == "Please send your safeguarding policy."
    assert notes[3] == "Attached to our website."


REFUSED = [
    # (function, states it must refuse, extra keyword arguments)
    (
        services.application_submit,
        [S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.DECLINED, S.WITHDRAWN, S.INFORMATION_REQUESTED],
        {},
    ),
    (
        services.application_start_review,
        [S.DRAFT, S.INFORMATION_REQUESTED, S.APPROVED, S.DECLINED, S.WITHDRAWN],
        {},
    ),
    (
        services.application_request_information,
        [S.DRAFT, S.APPROVED, S.DECLINED, S.WITHDRAWN],
        {"message": "More?"},
    ),
    (
        services.application_answer,
        [S.DRAFT, S.UNDER_REVIEW, S.APPROVED, S.DECLINED, S.WITHDRAWN],
        {"answer": "Here."},
    ),
    (services.application_approve, [S.DRAFT, S.INFORMATION_REQUESTED, S.DECLINED, S.WITHDRAWN], {}),
    (services.application_decline, [S.DRAFT, S.APPROVED, S.WITHDRAWN], {}),
    (services.application_withdraw, [S.APPROVED, S.DECLINED], {}),
]


@pytest.mark.parametrize(
    ("function", "state", "kwargs"),
    [(function, state, kwargs) for function, states, kwargs in REFUSED for state in states],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_transition_not_allowed_from_the_current_state_is_refused(function, state, kwargs):
    application = ApplicationFactory(status=state)
    target = {
        services.application_submit: S.SUBMITTED,
        services.application_start_review: S.UNDER_REVIEW,
        services.application_request_information: S.INFORMATION_REQUESTED,
        services.application_answer: S.SUBMITTED,
        services.application_approve: S.APPROVED,
        services.application_decline: S.DECLINED,
        services.application_withdraw: S.WITHDRAWN,
    }[function]
    if state == target:
        # Already there: the call is a harmless retry.
        function(application=application, actor=application.applicant, **kwargs)
        assert not application.events.exists()
        return
    with pytest.raises(services.TransitionNotAllowed) as error:
        function(application=application, actor=application.applicant, **kwargs)
    assert application.get_status_display() in str(error.value)
    application.refresh_from_db()
    assert application.status == state
    assert not application.events.exists()
    assert not Membership.objects.exists()


def test_withdraw_from_a_draft_and_from_an_open_state():
    draft = ApplicationFactory()
    services.application_withdraw(application=draft, actor=draft.applicant)
    under_review = submitted()
    services.application_start_review(application=under_review, actor=reviewer())
    services.application_withdraw(application=under_review, actor=under_review.applicant)
    for application in (draft, under_review):
        application.refresh_from_db()
        assert application.status == S.WITHDRAWN


def test_a_request_for_information_needs_a_message():
    application = submitted()
    with pytest.raises(ValueError):
        services.application_request_information(
            application=application, actor=reviewer(), message="   "
        )
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_approving_an_organisation_creates_its_membership_and_partner_once():
    staff = reviewer()
    country = CountryFactory()
    application = submitted(website="https://cfa.example.net/")
    application.countries.set([country])
    services.application_approve(application=application, actor=staff)
    services.application_approve(application=application, actor=staff)
    membership = Membership.objects.get()
    assert membership.partner.name == application.org_name
    assert membership.partner.website == "https://cfa.example.net/"
    assert membership.type == "full"
    assert membership.status == Membership.Status.ACTIVE
    assert membership.application == application
    assert membership.user == application.applicant
    assert list(membership.countries.all()) == [country]
    assert membership.email_domain == application.focal_email.split("@")[1]
    assert application.events.filter(to_status=S.APPROVED).count() == 1


def test_approval_links_to_the_existing_partner_with_the_same_name_ignoring_accents():
    partner = PartnerFactory(name_en="Enfance Sécurité Côte d'Ivoire", slug="esci")
    application = submitted(org_name="ENFANCE SECURITE COTE D'IVOIRE")
    services.application_approve(application=application, actor=reviewer())
    assert Membership.objects.get().partner == partner


def test_approving_an_individual_records_a_personal_membership_without_a_partner():
    application = IndividualApplicationFactory()
    services.application_submit(application=application, actor=application.applicant)
    services.application_approve(application=application, actor=reviewer())
    membership = Membership.objects.get()
    assert membership.partner is None
    assert membership.person_name == "Jean Martin"
    assert membership.type == "associate"
    assert not Membership.objects.in_directory().exists()


def test_submit_emails_the_applicant_and_the_reviewers_after_commit(
    django_capture_on_commit_callbacks,
):
    staff = reviewer(email="reviewer@cpaor.example.org")
    UserFactory(is_staff=True, email="not-a-reviewer@cpaor.example.org")
    application = ApplicationFactory(language="fr")
    verify(application.applicant, application.focal_email)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=application, actor=application.applicant)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    # The focal point (its address verified on the account) and the account that applied
    # are both told.
    applicant_to = tuple(sorted([application.focal_email, application.applicant.email]))
    assert set(by_recipient) == {applicant_to, (staff.email,)}
    acknowledgement = by_recipient[applicant_to]
    with translation.override("fr"):
        assert acknowledgement.subject == str(services.SUBJECTS["submitted"])
    assert acknowledgement.extra_headers["Content-Language"] == "fr"
    assert application.org_name in acknowledgement.body
    notice = by_recipient[(staff.email,)]
    assert application.org_name in notice.subject
    assert f"/admin/members/application/{application.pk}/change/" in notice.body


@pytest.mark.parametrize(
    ("action", "kwargs", "subject_words"),
    [
        (
            services.application_request_information,
            {"message": "Send your PSEA policy."},
            "more information",
        ),
        (services.application_approve, {"note": ""}, "approved"),
        (services.application_decline, {"note": "Out of scope."}, "application"),
    ],
)
def test_each_decision_emails_the_applicant_with_the_message(
    django_capture_on_commit_callbacks, action, kwargs, subject_words
):
    application = submitted()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        action(application=application, actor=reviewer(), **kwargs)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # The focal point's address was never verified: only the account's is written to.
    assert message.to == [application.applicant.email]
    assert subject_words in message.subject
    for text in kwargs.values():
        assert text in message.body


def test_emails_are_written_in_the_applicant_language(django_capture_on_commit_callbacks):
    application = submitted(language="es")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_information(
            application=application, actor=reviewer(), message="¿Su política?"
        )
    body = mail.outbox[0].body
    with translation.override("es"):
        expected = gettext("The CP AoR team")
    assert expected in body
    assert mail.outbox[0].extra_headers["Content-Language"] == "es"
    assert "¿Su política?" in body


def test_an_erased_person_leaves_anonymous_applications_and_the_organisation_membership():
    staff = reviewer()
    application = submitted()
    services.application_request_information(application=application, actor=staff, message="?")
    services.application_answer(
        application=application, actor=application.applicant, answer="My phone is 555"
    )
    services.application_approve(application=application, actor=staff)
    person = application.applicant
    services.person_erase(user=person, actor=staff)
    application.refresh_from_db()
    person.refresh_from_db()
    assert application.applicant is None
    assert application.focal_name == application.focal_email == application.focal_phone == ""
    assert application.motivation == ""
    assert application.anonymised_at is not None
    assert application.org_name  # the organisation is not personal data
    assert not application.events.filter(note__contains="555").exists()
    assert not ApplicationEvent.objects.filter(actor=person).exists()
    membership = Membership.objects.get()
    assert membership.status == Membership.Status.ACTIVE and membership.user is None
    assert not person.is_active and person.email == "" and not person.has_usable_password()
    # A second erasure finds nothing more to do.
    assert services.person_erase(user=person, actor=staff) == 0


def test_erasing_an_individual_member_deletes_the_personal_membership():
    application = IndividualApplicationFactory()
    services.application_submit(application=application, actor=application.applicant)
    services.application_approve(application=application, actor=reviewer())
    services.person_erase(user=application.applicant, actor=reviewer())
    application.refresh_from_db()
    assert application.person_name == ""
    assert not Membership.objects.exists()


def test_export_holds_the_person_applications_and_history():
    application = submitted()
    data = services.person_export(user=application.applicant)
    assert data["account"]["email"] == application.applicant.email
    assert data["applications"][0]["focal_email"] == application.focal_email
    assert data["applications"][0]["history"][0]["to"] == S.SUBMITTED
    assert data["applications"][0]["consent_text"].startswith("I agree")


# Only verified addresses get the portal's e-mails ------------------------------------------


def verify(user, address):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=address, verified=True, primary=False)


def test_an_unverified_focal_point_address_is_kept_but_never_written_to():
    application = ApplicationFactory(focal_email="typed@elsewhere.example")
    assert application.contact_email == "typed@elsewhere.example"
    assert services.applicant_addresses(application) == [application.applicant.email]
    verify(application.applicant, "Typed@Elsewhere.example")
    assert services.applicant_addresses(application) == sorted(
        ["typed@elsewhere.example", application.applicant.email]
    )


def test_an_address_verified_on_another_account_does_not_count():
    from allauth.account.models import EmailAddress

    application = ApplicationFactory(focal_email="shared@elsewhere.example")
    verify(UserFactory(), "shared@elsewhere.example")
    EmailAddress.objects.filter(user=application.applicant).update(verified=False)
    assert services.applicant_addresses(application) == []


def test_a_decision_reaches_only_the_verified_addresses(django_capture_on_commit_callbacks):
    application = submitted(focal_email="unverified@cfa.example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=reviewer())
    assert [message.to for message in mail.outbox] == [[application.applicant.email]]
    assert "unverified@cfa.example.net" not in str(mail.outbox[0].message())


def test_a_stored_document_name_is_one_line_of_visible_text():
    assert services._document_name("a\r\nb\u202e\tc\x00.pdf") == "a b c .pdf"
    assert services._document_name("\n\u2028") == "Document"


# Approval never takes over another account's membership ------------------------------------


def existing_member(name="Enfance Sécurité", **kwargs):
    kenya, jordan = CountryFactory(), CountryFactory()
    owner = UserFactory()
    membership = MembershipFactory(partner__name_en=name, user=owner, **kwargs)
    membership.countries.set([kenya, jordan])
    return membership


def snapshot(membership):
    membership.refresh_from_db()
    return (
        membership.user_id,
        membership.application_id,
        membership.partner_id,
        membership.type,
        membership.status,
        sorted(membership.countries.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("owned", [True, False], ids=["another-account", "no-account"])
def test_approving_a_same_name_organisation_is_refused_until_the_reviewer_chooses(owned):
    member = existing_member()
    if not owned:
        Membership.objects.filter(pk=member.pk).update(user=None)
    before = snapshot(member)
    application = submitted(org_name="ENFANCE SECURITE")
    with pytest.raises(services.SameNameMember) as error:
        services.application_approve(application=application, actor=reviewer())
    assert "Enfance Sécurité" in str(error.value)
    assert error.value.membership == member
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.decided_at is None
    assert statuses(application) == [(S.DRAFT, S.SUBMITTED)]
    assert snapshot(member) == before
    assert Membership.objects.count() == 1


def test_a_separate_organisation_gets_its_own_membership_and_the_member_keeps_everything():
    member = existing_member()
    before = snapshot(member)
    application = submitted(org_name="enfance securite")
    application.countries.set([CountryFactory()])
    services.application_approve(
        application=application, actor=reviewer(), same_name=services.SameName.SEPARATE
    )
    assert snapshot(member) == before
    new = Membership.objects.exclude(pk=member.pk).get()
    assert new.partner != member.partner
    assert new.partner.name == "enfance securite"
    assert (new.user, new.application) == (application.applicant, application)
    assert list(new.countries.all()) == list(application.countries.all())
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_the_reviewer_may_confirm_the_applicant_now_represents_the_member():
    from django.contrib.admin.models import LogEntry

    member = existing_member()
    previous_owner = member.user
    kept = set(member.countries.values_list("pk", flat=True))
    staff = reviewer()
    application = submitted(org_name="Enfance Securite")
    added = CountryFactory()
    application.countries.set([added])
    services.application_approve(
        application=application, actor=staff, same_name=services.SameName.SAME
    )
    member.refresh_from_db()
    assert Membership.objects.count() == 1
    assert (member.user, member.application) == (application.applicant, application)
    assert set(member.countries.values_list("pk", flat=True)) == kept | {added.pk}
    entry = LogEntry.objects.filter(user=staff, object_id=str(member.pk)).get()
    assert f"#{previous_owner.pk}" in entry.change_message


def test_the_same_account_renews_its_membership_without_being_asked():
    member = existing_member(type="associate")
    kept = set(member.countries.values_list("pk", flat=True))
    application = submitted(org_name="ENFANCE SÉCURITÉ", applicant=member.user)
    application.countries.set([])
    services.application_approve(application=application, actor=reviewer())
    member.refresh_from_db()
    assert Membership.objects.count() == 1
    assert (member.user, member.application, member.type) == (member.user, application, "full")
    assert set(member.countries.values_list("pk", flat=True)) == kept


def test_a_choice_changes_nothing_when_no_member_has_the_name():
    application = submitted(org_name="Brand New Org")
    services.application_approve(
        application=application, actor=reviewer(), same_name=services.SameName.SAME
    )
    assert Membership.objects.get().partner.name == "Brand New Org"
