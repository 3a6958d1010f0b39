"""Test copies and copies of issues: a test of an issue to the editor and the colleagues
who review it (a few addresses, each sent its own copy marked as a test), and a new
draft made from any issue ("Duplicate")."""

import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services


class TestCopyForm(forms.Form):
    addresses = forms.CharField(
        label=_("Send the test to"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autocomplete": "off"}),
        max_length=2000,
        help_text=_(
            "One or more e-mail addresses, one a line or separated by commas; at most "
            "%(count)s. Each gets its own copy, marked as a test."
        )
        % {"count": services.MAX_TEST_ADDRESSES},
    )

    def clean_addresses(self):
        addresses = list(
            dict.fromkeys(
                part.strip() for part in re.split(r"[,;\s]+", self.cleaned_data["addresses"])
            )
        )
        addresses = [address for address in addresses if address]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                wrong.append(address)
        if wrong:
            raise forms.ValidationError(
                _("Not an e-mail address: %(addresses)s"),
                params={"addresses": ", ".join(wrong)},
            )
        if not addresses:
            raise forms.ValidationError(_("Give at least one e-mail address."))
        if len(addresses) > services.MAX_TEST_ADDRESSES:
            raise forms.ValidationError(
                _("At most %(count)s addresses: a test is not a mailing."),
                params={"count": services.MAX_TEST_ADDRESSES},
            )
        return addresses


class TestCopyMixin:
    """The issue admin's test and duplicate views (their URLs are in issues.py)."""

    def test_view(self, request, pk):
        issue = self._issue(request, pk)
        self._may_send(request)
        title = _("Send a test")
        question = _("Send a test copy of this issue, as it is saved now?")
        if request.method != "POST":
            form = TestCopyForm(initial={"addresses": request.user.email})
            return self._confirm(request, issue, "test", title, question, form)
        # A post without the field (the older "test to me" button) goes to the editor.
        data = request.POST if "addresses" in request.POST else {"addresses": request.user.email}
        form = TestCopyForm(data)
        if not form.is_valid():
            return self._confirm(request, issue, "test", title, question, form, status=400)
        addresses = form.cleaned_data["addresses"]
        services.issue_send_test(issue_id=issue.pk, email=addresses)
        message = ngettext(
            "A test copy is on its way to %(emails)s.",
            "Test copies are on their way to %(emails)s.",
            len(addresses),
        )
        self.message_user(request, message % {"emails": ", ".join(addresses)})
        return redirect("admin:newsletters_issue_change", issue.pk)

    def duplicate_view(self, request, pk):
        """GET asks, POST makes the new draft and opens it."""
        issue = self._issue(request, pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            copy = services.issue_duplicate(issue_id=issue.pk, actor=request.user)
            self.message_user(
                request,
                _("This is a new draft, a copy of “%(subject)s”: change it, then save.")
                % {"subject": issue.subject},
            )
            return redirect("admin:newsletters_issue_change", copy.pk)
        return TemplateResponse(
            request,
            "admin/newsletters/issue/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Duplicate"),
                "question": _(
                    "Make a new draft with this issue's list, subject, text and featured "
                    "items? This issue stays as it is."
                ),
                "issue": issue,
                "action": "duplicate",
                "opts": self.model._meta,
                "counts": {},
                "recipients": None,
            },
        )
