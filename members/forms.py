import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import uploads
from initiatives.models import Country

from .models import Application, MembershipType, OrganisationType
from .services import (
    COMMITMENTS,
    COMMON_FIELDS,
    INDIVIDUAL_FIELDS,
    ORGANISATION_FIELDS,
    REQUIRED_FIELDS,
    SameName,
)

CONSENT_TEXT = _(
    "I agree that the CP AoR keeps and processes the personal data in this application "
    "(names, job titles, e-mail addresses and telephone numbers) to review it and, if it is "
    "approved, to manage the membership. Only the CP AoR's membership reviewers see it; it "
    "is never published. I can ask for a copy of it, or for it to be erased, at any time."
)
NEWSLETTER_CONSENT_TEXT = _(
    "Send me the CP AoR newsletter in my language once my membership is approved, at the "
    "address I verified for my account. Every issue has a link to unsubscribe at once."
)
SUPPORTING_FORMATS = frozenset({uploads.PDF, uploads.DOCX})
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./-]{6,30}$")
LONG_TEXT_LIMIT = 5000


def max_document_bytes():
    return int(getattr(settings, "MEMBERS_MAX_DOCUMENT_MB", 10)) * 1024 * 1024


def validate_supporting_document(upload):
    """A PDF or a Word document, by content, of limited size."""
    limit = max_document_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; it can be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if uploads.detect_format(upload) not in SUPPORTING_FORMATS:
        raise ValidationError(
            _("Choose a PDF or Word (.docx) document. Its content was checked, not its name."),
            code="unsupported_format",
        )


def validate_phone(value):
    if value and not PHONE_PATTERN.match(value):
        raise ValidationError(
            _("Enter a telephone number with digits, spaces and an optional leading +."),
            code="invalid_phone",
        )


def countries():
    return Country.objects.order_by("name")


class StoredDocument:
    """A stored supporting document as the file widget shows it: the name the applicant
    gave it, linked to the view that checks who may download it."""

    def __init__(self, application):
        self.name = application.document_name or str(_("Download"))
        self.url = reverse("members:application_document", kwargs={"pk": application.pk})

    def __str__(self):
        return self.name


class PrivateDocumentInput(forms.ClearableFileInput):
    """Django's widget links the current file to its storage URL; private storage has
    none on purpose (asking for one raises), so link to the permission-checked view."""

    def is_initial(self, value):
        return (
            isinstance(value, FieldFile)
            and bool(value)
            and getattr(value.instance, "pk", None) is not None
        )

    def format_value(self, value):
        if self.is_initial(value):
            return StoredDocument(value.instance)
        return None


class ApplicationForm(forms.ModelForm):
    """The fields common to both kinds of applicant. Saving a draft needs nothing more
    than valid values; submitting needs everything the reviewers require. Only signed-in
    people with a verified address reach it, so it has no honeypot: a field that browsers'
    autofill may fill must never make a person's work vanish."""

    KIND = None
    SECTION_FIELDS = ()

    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)
    newsletter = forms.BooleanField(label=NEWSLETTER_CONSENT_TEXT, required=False)
    supporting_document = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        help_text=_("A PDF or Word (.docx) file, for example your organisation's profile."),
        widget=PrivateDocumentInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Before validation: the model's constraints check the kind with the type.
        self.instance.applicant_kind = self.KIND
        self.submitting = "submit" in (self.data or {})
        self.fields["consent"].initial = self.instance.consent_given_at is not None
        self.fields["newsletter"].initial = self.instance.wants_newsletter
        for name in ("motivation", *self.SECTION_FIELDS):
            if isinstance(self.fields.get(name), forms.CharField) and isinstance(
                self.fields[name].widget, forms.Textarea
            ):
                self.fields[name].max_length = LONG_TEXT_LIMIT
                self.fields[name].validators.append(MaxLengthValidator(LONG_TEXT_LIMIT))
                self.fields[name].widget.attrs.update(maxlength=LONG_TEXT_LIMIT, rows=6)
        for name in ("hq_country", "person_country", "countries"):
            if name in self.fields:
                self.fields[name].queryset = countries()
        if self.submitting:
            for name in (*REQUIRED_FIELDS[self.KIND], *COMMITMENTS, "consent"):
                if name in self.fields:
                    self.fields[name].required = True
        for name in ("focal_phone", "alternate_phone"):
            if name in self.fields:
                self.fields[name].validators.append(validate_phone)
        for name in REQUIRED_FIELDS[self.KIND]:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = "required-note"

    def clean_supporting_document(self):
        upload = self.cleaned_data.get("supporting_document")
        if upload and hasattr(upload, "content_type"):
            validate_supporting_document(upload)
        return upload

    def clean_membership_type(self):
        value = self.cleaned_data.get("membership_type")
        if self.KIND == "individual" and value != MembershipType.ASSOCIATE:
            raise ValidationError(_("Individuals join as associate members."))
        return value


class OrganisationApplicationForm(ApplicationForm):
    KIND = "organisation"
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    SECTION_FIELDS = ORGANISATION_FIELDS

    class Meta:
        model = Application
        fields = ("membership_type", *ORGANISATION_FIELDS, *COMMON_FIELDS)
        widgets = {
            "membership_type": forms.RadioSelect,
            "countries": forms.SelectMultiple(attrs={"size": 8}),
            "focal_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "alternate_phone": forms.TextInput(attrs={"type": "tel"}),
            "focal_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "cp_work": _("A few paragraphs: where you work, with whom, and how."),
            "countries": _("Hold Ctrl (or Cmd) to choose several."),
            "motivation": _("Why you want to join, and what you would bring."),
        }
        labels = {"membership_type": _("Membership you apply for")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_type"].choices = MembershipType.choices
        self.fields["org_type"].choices = [("", "---------"), *OrganisationType.choices]


class IndividualApplicationForm(ApplicationForm):
    KIND = "individual"
    SECTION_FIELDS = INDIVIDUAL_FIELDS

    class Meta:
        model = Application
        fields = (*INDIVIDUAL_FIELDS, *COMMON_FIELDS)
        help_texts = {
            "expertise": _("Your fields of expertise and experience in child protection."),
            "motivation": _("Why you want to join, and what you would bring."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.membership_type = MembershipType.ASSOCIATE


FORMS = {"organisation": OrganisationApplicationForm, "individual": IndividualApplicationForm}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): a list, maybe empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


# Documents an answer may carry: enough for a statute, a registration and a report.
MAX_ANSWER_DOCUMENTS = 5


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": LONG_TEXT_LIMIT}),
        max_length=LONG_TEXT_LIMIT,
        strip=True,
    )
    documents = MultipleFileField(
        label=_("Documents (optional)"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": ".pdf,.docx,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
        help_text=_("PDF or Word (.docx), up to 5 files."),
    )

    def clean_documents(self):
        documents = self.cleaned_data.get("documents") or []
        if len(documents) > MAX_ANSWER_DOCUMENTS:
            raise ValidationError(
                _("Send at most %(count)d documents with one answer."),
                code="too_many",
                params={"count": MAX_ANSWER_DOCUMENTS},
            )
        errors = []
        for document in documents:
            try:
                validate_supporting_document(document)
            except ValidationError as error:
                errors.extend(
                    ValidationError(f"{document.name}: {message}") for message in error.messages
                )
        if errors:
            raise ValidationError(errors)
        return documents


class ReviewerMessageForm(forms.Form):
    """The message a reviewer sends with a decision or a request for information."""

    message = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        max_length=LONG_TEXT_LIMIT,
        strip=True,
    )

    def __init__(self, *args, required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].required = required


class ApprovalForm(ReviewerMessageForm):
    """The approval's optional message, and the reviewer's explicit word on each
    application whose organisation name is already a member through another account:
    approval never moves a membership unless told to."""

    def __init__(self, *args, conflicts=(), **kwargs):
        super().__init__(*args, required=False, **kwargs)
        self.conflicts = []
        for application, membership in conflicts:
            field = forms.ChoiceField(
                label=_("What is %(application)s?") % {"application": application},
                choices=SameName.choices,
                widget=forms.RadioSelect,
            )
            self.fields[self.choice_name(application)] = field
            self.conflicts.append((application, membership, self[self.choice_name(application)]))

    @staticmethod
    def choice_name(application):
        return f"same_name_{application.pk}"

    def same_name(self, application):
        """The reviewer's SameName for application, or None where nothing was asked."""
        return self.cleaned_data.get(self.choice_name(application)) or None


class PersonLookupForm(forms.Form):
    email = forms.EmailField(label=_("The person's e-mail address"))
