"""Applications and their review. An application moves through its states only by the
functions in members.services, each allowed by the table `Application.transitions`; each
move is kept as an ApplicationEvent (who, when, from, to, note)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.states import Transition, Transitions
from common.validators import single_line
from initiatives.models import Country

from .base import WEBMAIL_DOMAINS, ApplicantKind, MembershipType, OrganisationType, name_key
from .documents import document_upload_to, private_storage
from .memberships import Membership


class TransitionNotAllowed(Exception):
    """The application is not in a state this action applies to."""

    def __init__(self, application, transition):
        self.application = application
        self.action = transition.verb
        super().__init__(
            gettext('Cannot %(action)s an application that is "%(status)s".')
            % {"action": transition.verb, "status": application.get_status_display()}
        )


# Reviewers act through the admin; the applicant's own actions need no permission, as
# the pages reach only the applicant's own applications.
REVIEW = "members.change_application"


class ApplicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Application.OPEN_STATUSES)

    def of(self, user):
        """The applications user made; everyone else's stay invisible to them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(applicant=user)

    def with_keys(self):
        return self.annotate(
            name_key=name_key("org_name"),
            domain_key=Lower(
                models.Func(
                    models.F("contact_email"),
                    models.Value("@"),
                    models.Value(2),
                    function="split_part",
                    output_field=models.CharField(),
                )
            ),
        )

    def with_duplicate_flags(self):
        """Annotate possible_duplicate: the same organisation name (ignoring case and
        accents) or e-mail domain as another open application or an existing member."""
        others = Application.objects.with_keys().open().exclude(pk=models.OuterRef("pk"))
        members = Membership.objects.annotate(
            name_key=name_key("partner__name"), domain_key=models.F("email_domain")
        )
        outer_name = models.OuterRef("name_key")
        outer_domain = models.OuterRef("domain_key")
        same_name = Q(name_key=outer_name) & ~Q(name_key="")
        same_domain = Q(domain_key=outer_domain) & ~Q(domain_key__in=[*WEBMAIL_DOMAINS, ""])
        return self.with_keys().annotate(
            duplicate_name=models.Case(
                models.When(name_key="", then=models.Value(False)),
                default=models.Exists(others.filter(same_name))
                | models.Exists(members.filter(same_name)),
                output_field=models.BooleanField(),
            ),
            duplicate_domain=models.Case(
                models.When(
                    Q(domain_key__in=WEBMAIL_DOMAINS) | Q(domain_key=""),
                    then=models.Value(False),
                ),
                default=models.Exists(others.filter(same_domain))
                | models.Exists(members.filter(same_domain)),
                output_field=models.BooleanField(),
            ),
        )


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under-review", _("Under review")
        INFORMATION_REQUESTED = "information-requested", _("Information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.INFORMATION_REQUESTED,
    )

    # What each action starts from and leads to: the services' guard, the admin's
    # buttons and the applicant's pages all read this table.
    transitions = Transitions(
        Transition("edit", {Status.DRAFT}, Status.DRAFT, verb=_("change")),
        Transition("submit", {Status.DRAFT}, Status.SUBMITTED, verb=_("submit")),
        Transition(
            "start_review",
            {Status.SUBMITTED},
            Status.UNDER_REVIEW,
            permission=REVIEW,
            verb=_("start reviewing"),
        ),
        Transition(
            "request_information",
            {Status.SUBMITTED, Status.UNDER_REVIEW},
            Status.INFORMATION_REQUESTED,
            permission=REVIEW,
            verb=_("request information on"),
        ),
        Transition("answer", {Status.INFORMATION_REQUESTED}, Status.SUBMITTED, verb=_("answer")),
        Transition(
            "approve",
            {Status.SUBMITTED, Status.UNDER_REVIEW},
            Status.APPROVED,
            permission=REVIEW,
            verb=_("approve"),
        ),
        Transition(
            "decline",
            {Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED},
            Status.DECLINED,
            permission=REVIEW,
            verb=_("decline"),
        ),
        Transition(
            "withdraw", {Status.DRAFT, *OPEN_STATUSES}, Status.WITHDRAWN, verb=_("withdraw")
        ),
        error=TransitionNotAllowed,
    )

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="membership_applications",
    )
    membership_type = models.CharField(
        _("membership type"), max_length=10, choices=MembershipType.choices
    )
    applicant_kind = models.CharField(
        _("applying as"), max_length=12, choices=ApplicantKind.choices
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The applicant's language; e-mails to them are written in it."),
    )
    # The organisation.
    org_name = models.CharField(
        _("organisation name"), max_length=200, blank=True, validators=[single_line]
    )
    org_acronym = models.CharField(
        _("acronym"), max_length=40, blank=True, validators=[single_line]
    )
    org_type = models.CharField(
        _("type of organisation"), max_length=20, choices=OrganisationType.choices, blank=True
    )
    hq_country = models.ForeignKey(
        Country,
        verbose_name=_("headquarters country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries of operation"), related_name="+", blank=True
    )
    website = models.URLField(_("website"), blank=True)
    cp_work = models.TextField(_("child-protection work"), blank=True)
    focal_name = models.CharField(
        _("focal point name"), max_length=150, blank=True, validators=[single_line]
    )
    focal_title = models.CharField(
        _("focal point title"), max_length=150, blank=True, validators=[single_line]
    )
    focal_email = models.EmailField(_("focal point e-mail"), blank=True)
    focal_phone = models.CharField(
        _("focal point phone"), max_length=40, blank=True, validators=[single_line]
    )
    alternate_name = models.CharField(
        _("alternate name"), max_length=150, blank=True, validators=[single_line]
    )
    alternate_title = models.CharField(
        _("alternate title"), max_length=150, blank=True, validators=[single_line]
    )
    alternate_email = models.EmailField(_("alternate e-mail"), blank=True)
    alternate_phone = models.CharField(
        _("alternate phone"), max_length=40, blank=True, validators=[single_line]
    )
    # The individual.
    person_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[single_line]
    )
    affiliation = models.CharField(
        _("affiliation"), max_length=200, blank=True, validators=[single_line]
    )
    expertise = models.TextField(_("expertise"), blank=True)
    person_country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Both.
    motivation = models.TextField(_("motivation"), blank=True)
    accepts_principles = models.BooleanField(
        _("accepts the humanitarian principles"), default=False
    )
    accepts_cpms = models.BooleanField(_("accepts the CPMS"), default=False)
    accepts_code_of_conduct = models.BooleanField(
        _("accepts a safeguarding / PSEA code of conduct"), default=False
    )
    commitments_accepted_at = models.DateTimeField(
        _("commitments accepted at"), null=True, blank=True
    )
    supporting_document = models.FileField(
        _("supporting document"),
        storage=private_storage,
        upload_to=document_upload_to,
        blank=True,
        max_length=200,
    )
    document_name = models.CharField(
        _("document name"), max_length=200, blank=True, validators=[single_line]
    )
    consent_text = models.TextField(_("consent text shown"), blank=True)
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    # The applicant's wish for the newsletter, and the box's text as they saw it: approval
    # subscribes their verified address with this text as the consent record.
    wants_newsletter = models.BooleanField(_("wants the newsletter"), default=False)
    newsletter_consent_text = models.TextField(_("newsletter consent text shown"), blank=True)
    # The address the portal writes to and compares domains on: the focal point's for an
    # organisation, the account's for an individual.
    contact_email = models.EmailField(_("contact e-mail"), blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The reviewer who looks after this application."),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-created"]
        permissions = [("erase_personal_data", _("Can export and erase a person's data"))]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_queue"),
            models.Index(fields=["applicant", "-created"], name="application_applicant"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(membership_type="full") | Q(applicant_kind="organisation"),
                name="application_full_members_are_organisations",
            ),
        ]

    def __str__(self):
        return self.display_name or _("Application %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("members:application", kwargs={"pk": self.pk})

    @property
    def display_name(self):
        if self.applicant_kind == ApplicantKind.ORGANISATION:
            return self.org_name
        return self.person_name

    @property
    def is_organisation(self):
        return self.applicant_kind == ApplicantKind.ORGANISATION

    @property
    def is_editable(self):
        return self.transitions.can(self, "edit")

    @property
    def can_withdraw(self):
        return self.transitions.can(self, "withdraw")

    @property
    def country(self):
        return self.hq_country if self.is_organisation else self.person_country

    @property
    def turn(self):
        """Who must act next: the applicant (a request for information waits for their
        answer), the reviewers (a submitted or answered application), or nobody."""
        if self.status == self.Status.INFORMATION_REQUESTED:
            return "applicant"
        if self.status in (self.Status.SUBMITTED, self.Status.UNDER_REVIEW):
            return "reviewers"
        return ""


class ApplicationEvent(models.Model):
    """One step in an application's life: who moved it, when, from where to where, why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)
    from_status = models.CharField(
        _("from"), max_length=24, choices=Application.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=24, choices=Application.Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application history")
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
