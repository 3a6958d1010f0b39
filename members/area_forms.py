"""The members' area's forms: a focal point invites a colleague, and edits the member's
directory entry (its logo checked by content)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from common.uploads import PictureField
from initiatives.models import Country, image_validators

from .forms import countries
from .services.entry import clean_description


class InvitationForm(forms.Form):
    """A focal point invites a colleague by e-mail address."""

    email = forms.EmailField(
        label=_("Your colleague's e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "They receive a link to accept, valid for %(days)s days, and accept with an "
            "account that has verified this address."
        ),
    )

    def __init__(self, *args, days=14, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = self.fields["email"].help_text % {"days": days}


def max_logo_bytes():
    return settings.MEMBERS_MAX_LOGO_BYTES


class LogoField(PictureField):
    """A logo appears at 96 px next to the name: PictureField's checks, a logo's limit."""

    default_error_messages = {
        "too_large": _("This image is %(size)s; a logo can be at most %(limit)s."),
        "unsupported_format": _(
            "Choose a PNG, JPEG, WebP or GIF picture. Its content was checked, not its name."
        ),
        "too_big": _(
            "This image is %(width)s × %(height)s pixels; a logo can be at most "
            "%(side)s pixels wide and high."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_bytes=max_logo_bytes, stem="logo", **kwargs)


class EntryForm(forms.Form):
    """The member's directory entry, as its focal points edit it."""

    description = forms.CharField(
        label=_("Description"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": 1500, "dir": "auto"}),
        help_text=_(
            "What your organisation does, for the public directory: at most 1,500 characters."
        ),
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://", "dir": "ltr"}),
    )
    logo = LogoField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries of operation"),
        queryset=Country.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )

    def __init__(self, *args, has_logo=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].queryset = countries()
        self.fields["logo"].help_text = _(
            "A PNG, JPEG, WebP or GIF picture, at most %(limit)s."
        ) % {"limit": filesizeformat(max_logo_bytes())}
        if not has_logo:
            del self.fields["remove_logo"]

    def clean_description(self):
        text = clean_description(self.cleaned_data.get("description") or "")
        if len(text) > 1500:
            raise ValidationError(
                _("The description has %(count)d characters; it can have at most 1,500."),
                code="max_length",
                params={"count": len(text)},
            )
        return text

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        # LogoField checked the content and named the file; the Partner logo's own
        # validators have their say too.
        for validator in image_validators:
            validator(upload)
        return upload
