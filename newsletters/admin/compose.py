"""Writing an issue: its form and the preview of what readers will get."""

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from common.sanitize import sanitize_html

from .. import mail
from ..models import Issue


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = (
            "newsletter",
            "subject",
            "preheader",
            "body",
            "featured_resources",
            "featured_initiatives",
        )

    def clean_body(self):
        body = sanitize_html(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError(_("The body is empty once unsafe HTML is removed."))
        return body


class ComposeMixin:
    """The issue admin's views for writing: the preview."""

    def preview_view(self, request, pk):
        """The e-mail as subscribers will see it (links point to a stand-in subscriber)."""
        issue = self._issue(request, pk)
        rendered = mail.render_issue(issue)
        response = HttpResponse(rendered.html)
        # The preview is the editor's own HTML: no scripts run even if some slipped in.
        response["Content-Security-Policy"] = "script-src 'none'"
        return response
