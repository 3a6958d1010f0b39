from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.forms import HoneypotFormMixin

from . import searches
from .models import Frequency


class SearchAlertForm(HoneypotFormMixin, forms.Form):
    """E-mail me new resources like these: the search travels in a hidden field and is
    checked again here, whatever the page sent."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        initial=Frequency.WEEKLY,
    )
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.fields["email"].widget.attrs.update(autocomplete="email")

    def clean_query(self):
        try:
            return searches.normalise(self.cleaned_data["query"], self.language)
        except searches.InvalidSearch as error:
            raise forms.ValidationError(
                _("This is not a library search we can follow. Start again from the library.")
            ) from error


class LanguageWatchForm(HoneypotFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Your language"), widget=forms.RadioSelect)

    def __init__(self, *args, missing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        # Each language in its own name: a reader who cannot read the page finds theirs.
        names = settings.LANGUAGE_SELF_NAMES
        self.fields["language"].choices = [(code, names.get(code, code)) for code in missing]
        self.fields["language"].error_messages["invalid_choice"] = _(
            "Choose one of the languages this resource is not yet in."
        )
