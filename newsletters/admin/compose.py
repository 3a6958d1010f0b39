"""Writing an issue: its form (Markdown body with a live preview beside it) and the
previews of what readers will get.

Three previews, each honest about what it shows:
* the panel beside the body shows the draft being typed: static/js/newsletter-compose.js
  posts it to draft_preview_view as the editor types; without JavaScript the "Preview"
  button posts the form to changeform_view, which shows it filled in again, unsaved,
  with the panel rendered from what was typed;
* "Save and preview the e-mail" and "Save and send a test…" (under the preview and at
  the top of the page, where they submit the same form) save the form first (only when
  it is valid, as "Save" would) and then show or send the saved issue, so the e-mail
  always matches what is stored and will be sent;
* preview_view: the e-mail of the saved issue (the link at the top of the page).
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.forms.widgets import Script
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .. import mail
from ..markdown import body_html, clean_source, html_to_text, image_snippet
from ..models import Issue, NewsletterList
from .featured import show_in_language

# A draft longer than this is not a newsletter (and would only keep a worker busy).
MAX_BODY_CHARS = 100_000
PREVIEW, SAVE_THEN_EMAIL, SAVE_THEN_TEST = "_preview", "_save_email_preview", "_save_test"


def reading_direction(language):
    """(lang, dir) of text in a list's language."""
    language = language or "en"
    try:
        bidi = translation.get_language_info(language)["bidi"]
    except KeyError:
        bidi = False
    return language, "rtl" if bidi else "ltr"


def preview_html(*, body, subject="", newsletter=None):
    """The preview panel's content: the list, the subject and the body as readers see it."""
    lang, direction = reading_direction(newsletter.language if newsletter else None)
    return render_to_string(
        "admin/newsletters/compose/preview.html",
        {
            "newsletter": newsletter,
            "subject": subject,
            "body": body_html(body),
            "lang": lang,
            "dir": direction,
        },
    )


class MarkdownEditor(forms.Textarea):
    """The body's textarea with the preview panel beside it (under it on a phone)."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 24, "class": "compose-source", **(attrs or {})})
        self.newsletter = None
        self.subject = ""
        self.images = []
        self.issue_pk = None

    @property
    def media(self):
        return forms.Media(
            js=[Script("js/newsletter-compose.js", defer=True)],
            css={"all": ["css/newsletter-admin.css"]},
        )

    def render(self, name, value, attrs=None, renderer=None):
        # The source is typed in the list's language and direction too.
        lang, direction = reading_direction(self.newsletter.language if self.newsletter else None)
        attrs = {**(attrs or {}), "lang": lang, "dir": direction}
        textarea = super().render(name, value, attrs, renderer)
        return render_to_string(
            "admin/newsletters/compose/editor.html",
            {
                "textarea": textarea,
                "preview": preview_html(
                    body=value or "", subject=self.subject, newsletter=self.newsletter
                ),
                "lang": lang,
                "dir": direction,
                "preview_url": reverse("admin:newsletters_issue_draft_preview"),
                "images": self.images,
                "upload_url": self.issue_pk
                and reverse("admin:newsletters_issueimage_add") + f"?issue={self.issue_pk}",
                "actions": (PREVIEW, SAVE_THEN_EMAIL, SAVE_THEN_TEST),
            },
        )


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
        widgets = {"body": MarkdownEditor}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" not in self.fields:  # an issue being sent or sent is read only
            return
        editor = self.fields["body"].widget
        editor.newsletter = self._chosen_list()
        show_in_language(self, editor.newsletter.language if editor.newsletter else "en")
        editor.subject = self.data.get("subject", "") if self.is_bound else self.instance.subject
        if self.instance.pk:
            editor.issue_pk = self.instance.pk
            editor.images = [
                {
                    "pk": image.pk,
                    "url": image.image.url,
                    "snippet": image_snippet(image.alt_text, image.image.url),
                    "alt_text": image.alt_text,
                }
                for image in self.instance.images.order_by("-created", "-pk")
            ]

    def _chosen_list(self):
        """The list picked in the form (typed, not yet saved) or the issue's."""
        if self.is_bound:
            chosen = self.data.get("newsletter")
            if chosen and str(chosen).isdigit():
                return NewsletterList.objects.filter(pk=chosen).first()
            return None
        return self.instance.newsletter if self.instance.newsletter_id else None

    def clean_body(self):
        if len(self.cleaned_data["body"]) > MAX_BODY_CHARS:
            raise forms.ValidationError(
                _("The body is too long: at most %(limit)s characters."),
                params={"limit": MAX_BODY_CHARS},
            )
        source = clean_source(self.cleaned_data["body"])
        refused = []
        html = body_html(source, refused)
        if refused:
            raise forms.ValidationError(
                _(
                    "Images must be uploaded to the portal (Issue images) and inserted with "
                    "the snippet shown there. Not uploaded: %(addresses)s"
                ),
                params={"addresses": ", ".join(refused)},
            )
        if not html_to_text(html) and "<img " not in html:
            raise forms.ValidationError(_("The body is empty once unsafe HTML is removed."))
        return source


class ComposeMixin:
    """The issue admin's views for writing: the live and no-JavaScript previews, and the
    e-mail preview."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "preview/draft/",
                wrap(self.draft_preview_view),
                name="newsletters_issue_draft_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The e-mail as subscribers will see it (links point to a stand-in subscriber)."""
        issue = self._issue(request, pk)
        rendered = mail.render_issue(issue)
        response = HttpResponse(rendered.html)
        # The preview is the editor's own HTML: no scripts run even if some slipped in.
        response["Content-Security-Policy"] = "script-src 'none'"
        return response

    def _may_write(self, request):
        return self.has_add_permission(request) or self.has_change_permission(request)

    def draft_preview_view(self, request):
        """POST (body, subject, newsletter): the preview panel's HTML for the draft, as
        JSON with its language and direction. Never saves anything."""
        if request.method != "POST":
            return JsonResponse({"error": str(_("Send the draft with POST."))}, status=405)
        if not self._may_write(request):
            raise PermissionDenied
        return _draft_preview(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and PREVIEW in request.POST:
            return self._unsaved_preview(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _unsaved_preview(self, request, object_id, form_url, extra_context):
        """The change form again, filled with what was posted and its preview; nothing is
        saved (the editor saves when happy). Mirrors ModelAdmin._changeform_view's
        rendering; the issue has no inlines."""
        add = object_id is None
        obj = None if add else self.get_object(request, unquote(object_id))
        if add and not self.has_add_permission(request):
            raise PermissionDenied
        if not add and (obj is None or not self.has_change_permission(request, obj)):
            raise PermissionDenied
        fieldsets = self.get_fieldsets(request, obj)
        form_class = self.get_form(
            request, obj, change=not add, fields=flatten_fieldsets(fieldsets)
        )
        form = form_class(request.POST, request.FILES, instance=obj)
        form.is_valid()  # shows what Save would refuse; the preview renders either way
        admin_form = helpers.AdminForm(
            form,
            list(fieldsets),
            self.get_prepopulated_fields(request, obj),
            self.get_readonly_fields(request, obj),
            model_admin=self,
        )
        self.message_user(
            request,
            _("This is a preview: your changes are not saved yet."),
            messages.WARNING,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": (_("Add %s") if add else _("Change %s")) % self.opts.verbose_name,
            "subtitle": str(obj) if obj else None,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(
            request, context, add=add, change=not add, obj=obj, form_url=form_url
        )

    def _after_save(self, request, obj):
        """Where "Save and preview the e-mail" / "Save and send a test" lead once saved."""
        if SAVE_THEN_EMAIL in request.POST:
            self.message_user(request, _("Saved. The e-mail below is the saved issue."))
            return HttpResponseRedirect(reverse("admin:newsletters_issue_preview", args=[obj.pk]))
        if SAVE_THEN_TEST in request.POST:
            self.message_user(request, _("Saved. The test copy will be the saved issue."))
            return HttpResponseRedirect(reverse("admin:newsletters_issue_test", args=[obj.pk]))
        return None

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)


def _draft_preview(request):
    body = request.POST.get("body")
    if body is None:
        return JsonResponse({"error": str(_("The draft has no body field."))}, status=400)
    if len(body) > MAX_BODY_CHARS:
        message = _("The body is too long: at most %(limit)s characters.")
        return JsonResponse({"error": str(message % {"limit": MAX_BODY_CHARS})}, status=413)
    chosen = request.POST.get("newsletter", "")
    newsletter = None
    if chosen:
        if not chosen.isdigit():
            return JsonResponse({"error": str(_("Choose a list from the menu."))}, status=400)
        newsletter = NewsletterList.objects.filter(pk=chosen).first()
        if newsletter is None:
            return JsonResponse({"error": str(_("Choose a list from the menu."))}, status=400)
    lang, direction = reading_direction(newsletter.language if newsletter else None)
    html = preview_html(
        body=body, subject=request.POST.get("subject", "")[:200], newsletter=newsletter
    )
    return JsonResponse({"html": html, "lang": lang, "dir": direction})
