"""Form pieces shared by the public forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_FIELD = "homepage"


class HoneypotFormMixin(forms.Form):
    """A field people never see and bots fill in.

    The field is hidden by CSS (class "hp"), skipped by keyboard (tabindex -1) and by
    screen readers (aria-hidden on its wrapper in the template). A filled-in honeypot is
    not a validation error: the view should answer as if the form succeeded and save
    nothing, so the bot learns nothing.
    """

    homepage = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def is_spam(self):
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD), "").strip())

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != HONEYPOT_FIELD]

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]
