from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.forms import HoneypotFormMixin
from common.validators import single_line

from .models import ConsentRecord

CONSENT_TEXT = _(
    "I agree to receive the newsletters I chose from the CP AoR by e-mail. My address is "
    "used for nothing else, and every newsletter has a link to change my choice or "
    "unsubscribe at once."
)


class ListChoiceMixin:
    def set_list_choices(self, newsletters):
        self.fields["lists"].choices = [
            (str(newsletter.pk), newsletter.name) for newsletter in newsletters
        ]
        self.newsletters = {str(newsletter.pk): newsletter for newsletter in newsletters}

    def chosen_ids(self):
        return [int(pk) for pk in self.cleaned_data["lists"]]


class SubscribeForm(HoneypotFormMixin, ListChoiceMixin, forms.Form):
    """Subscribe on the newsletters page (lists to tick) or from the footer (no lists:
    the list in the page's language)."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    name = forms.CharField(
        label=_("Name (optional)"), max_length=150, required=False, validators=[single_line]
    )
    lists = forms.MultipleChoiceField(
        label=_("Newsletters"), widget=forms.CheckboxSelectMultiple, required=False
    )
    origin = forms.ChoiceField(
        choices=[(ConsentRecord.Form.PAGE, "page"), (ConsentRecord.Form.FOOTER, "footer")],
        widget=forms.HiddenInput,
        initial=ConsentRecord.Form.PAGE,
    )
    consent = forms.BooleanField(label=CONSENT_TEXT)

    def __init__(self, *args, newsletters, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_list_choices(newsletters)
        self.language = language
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["name"].widget.attrs.update(autocomplete="name")

    def clean_origin(self):
        return ConsentRecord.Form(self.cleaned_data["origin"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("lists") and "lists" not in self.errors:
            in_language = [
                pk
                for pk, newsletter in self.newsletters.items()
                if newsletter.language == self.language
            ]
            if cleaned.get("origin") == ConsentRecord.Form.FOOTER and in_language:
                cleaned["lists"] = in_language[:1]
            else:
                self.add_error("lists", _("Choose at least one newsletter."))
        return cleaned


class PreferencesForm(ListChoiceMixin, forms.Form):
    lists = forms.MultipleChoiceField(
        label=_("Newsletters you receive"), widget=forms.CheckboxSelectMultiple, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of our messages to you"),
        help_text=_("Confirmations and notices are written in it."),
        widget=forms.RadioSelect,
        # Left out (an older page, a script): the reader's language stays as it is.
        required=False,
    )
    plain_text = forms.BooleanField(
        label=_("Plain text only"),
        help_text=_("Newsletters without pictures or layout: smaller, for slow connections."),
        required=False,
    )

    def __init__(self, *args, newsletters, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_list_choices(newsletters)
        # Each language in its own name: a reader who cannot read the page's language
        # still finds theirs.
        self.fields["plain_text"].widget.attrs["aria-describedby"] = "plain-text-help"
        names = settings.LANGUAGE_SELF_NAMES
        self.fields["language"].choices = [
            (code, names.get(code, str(name))) for code, name in settings.LANGUAGES
        ]


class LeaveForm(forms.Form):
    """The unsubscribe page's buttons: one list (by id) or all of them ("all"). Mail
    providers' one-click POST sends neither: the link's own meaning applies. A list
    already left is still a valid choice, so a repeated click is harmless."""

    leave = forms.CharField(required=False)

    def __init__(self, *args, list_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_ids = set(list_ids)

    def clean_leave(self):
        value = self.cleaned_data["leave"].strip()
        if value in ("", "all"):
            return value
        if value.isdigit() and int(value) in self.list_ids:
            return int(value)
        raise forms.ValidationError(_("Choose a newsletter from this page."))
