from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from common import spreadsheet
from common.sanitize import sanitize_html

from . import mail, services
from .models import ConsentRecord, Issue, NewsletterList, Subscriber, Subscription


@admin.register(NewsletterList)
class NewsletterListAdmin(TabbedTranslationAdmin):
    list_display = ("name", "language", "is_active", "order", "slug")
    list_filter = ("is_active", "language")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ("newsletter", "created")
    readonly_fields = ("newsletter", "created")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ("created", "action", "form", "language", "text", "list_names")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lists"))
    def list_names(self, obj):
        return ", ".join(newsletter.name for newsletter in obj.lists.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lists")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "status", "language", "created", "confirmed_at")
    list_filter = ("status", "language", "lists")
    search_fields = ("email", "name")
    readonly_fields = ("status", "created", "confirmed_at", "unsubscribed_at")
    fields = ("email", "name", "language", "status", "created", "confirmed_at", "unsubscribed_at")
    inlines = [SubscriptionInline, ConsentInline]
    actions = ["export_csv", "mark_bounced", "erase"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        # Subscribers add themselves: a confirmed address is the consent.
        return False

    def has_delete_permission(self, request, obj=None):
        # Erasing goes through the "erase" action (services.subscriber_erase).
        return False

    @admin.action(description=_("Export selected subscribers as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(["email", "name", "language", "status", "lists", "subscribed", "confirmed"])
        for subscriber in queryset.prefetch_related("lists").order_by("pk"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.name,
                    subscriber.language,
                    subscriber.status,
                    " ".join(sorted(newsletter.slug for newsletter in subscriber.lists.all())),
                    subscriber.created.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                ]
            )
        return response

    @admin.action(description=_("Mark selected subscribers as bounced"), permissions=["change"])
    def mark_bounced(self, request, queryset):
        changed = sum(
            services.subscriber_mark_bounced(subscriber_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%d subscriber marked bounced.", "%d subscribers marked bounced.", changed)
            % changed,
        )

    @admin.action(
        description=_("Erase selected subscribers (on their request)"), permissions=["change"]
    )
    def erase(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/newsletters/confirm_erase.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase subscribers"),
                    "subscribers": queryset,
                    "opts": self.model._meta,
                    "action": "erase",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased = sum(
            services.subscriber_erase(subscriber_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%d subscriber erased.", "%d subscribers erased.", erased) % erased,
            messages.SUCCESS,
        )
        return None


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


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label=_("Send at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Date and time in UTC."),
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or send now."))
        return when


# Each action on an issue's change page, by the name in its URL: the action in
# Issue.transitions, the service, the button's label and the question it asks.
ISSUE_ACTIONS = {
    "send": (
        "send_now",
        services.issue_send_now,
        _("Send now"),
        _("Send this issue to every confirmed subscriber of its list now?"),
    ),
    "schedule": (
        "schedule",
        services.issue_schedule,
        _("Schedule"),
        _("Send this issue at the time below?"),
    ),
    "pause": (
        "pause",
        services.issue_pause,
        _("Pause"),
        _("Pause sending? Nobody already sent it will receive it again when you resume."),
    ),
    "resume": (
        "resume",
        services.issue_resume,
        _("Resume"),
        _("Resume sending to the subscribers who have not received it yet?"),
    ),
    "cancel": (
        "cancel",
        services.issue_cancel,
        _("Cancel"),
        _("Cancel this issue? Subscribers who have not received it yet never will."),
    ),
}


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueForm
    list_display = ("subject", "newsletter", "status", "scheduled_at", "started_at", "progress")
    list_filter = ("status", "newsletter")
    list_select_related = ("newsletter",)
    search_fields = ("subject", "preheader")
    autocomplete_fields = ("featured_resources", "featured_initiatives")
    readonly_fields = ("status", "scheduled_at", "started_at", "finished_at", "created_by")
    change_form_template = "admin/newsletters/issue/change_form.html"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        # Once sending has started, the text is what subscribers got: it stays as sent.
        if obj is not None and not Issue.transitions.can(obj, "send_now"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if Issue.transitions.can(obj, "send_now"):  # not started yet
            return "—"
        url = reverse("admin:newsletters_issue_progress", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("progress"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="newsletters_issue_preview"),
            path("<int:pk>/progress/", wrap(self.progress_view), name="newsletters_issue_progress"),
            path("<int:pk>/test/", wrap(self.test_view), name="newsletters_issue_test"),
            re_path(
                rf"^(?P<pk>[0-9]+)/(?P<action>{'|'.join(ISSUE_ACTIONS)})/$",
                wrap(self.action_view),
                name="newsletters_issue_action",
            ),
            *super().get_urls(),
        ]

    def _issue(self, request, pk):
        issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def _may_send(self, request, action="send_now"):
        if not Issue.transitions.permits(request.user, action):
            raise PermissionDenied

    def preview_view(self, request, pk):
        """The e-mail as subscribers will see it (links point to a stand-in subscriber)."""
        issue = self._issue(request, pk)
        rendered = mail.render_issue(issue)
        response = HttpResponse(rendered.html)
        # The preview is the editor's own HTML: no scripts run even if some slipped in.
        response["Content-Security-Policy"] = "script-src 'none'"
        return response

    def progress_view(self, request, pk):
        issue = self._issue(request, pk)
        counts = services.issue_progress(issue.pk)
        return TemplateResponse(
            request,
            "admin/newsletters/issue/progress.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Sending progress"),
                "issue": issue,
                "counts": counts,
                "opts": self.model._meta,
                "refresh": issue.status == Issue.Status.SENDING,
                "actions": self._available_actions(issue, request.user),
            },
        )

    def test_view(self, request, pk):
        issue = self._issue(request, pk)
        self._may_send(request)
        if request.method == "POST":
            services.issue_send_test(issue_id=issue.pk, email=request.user.email)
            message = _("A test copy is on its way to %(email)s.")
            self.message_user(request, message % {"email": request.user.email})
            return redirect("admin:newsletters_issue_change", issue.pk)
        question = _("Send a test copy of this issue to %(email)s?")
        return self._confirm(
            request, issue, "test", _("Send a test to me"), question % {"email": request.user.email}
        )

    def _available_actions(self, issue, actor=None):
        """(URL name, label) of the actions the issue's state allows, in the table's order."""
        by_action = {action: name for name, (action, *_rest) in ISSUE_ACTIONS.items()}
        allowed = Issue.transitions.allowed(issue, actor=actor, among=by_action)
        return [(by_action[action], ISSUE_ACTIONS[by_action[action]][2]) for action in allowed]

    def _confirm(self, request, issue, action, label, question, form=None, status=200):
        return TemplateResponse(
            request,
            "admin/newsletters/issue/confirm_action.html",
            {
                **self.admin_site.each_context(request),
                "title": label,
                "question": question,
                "issue": issue,
                "action": action,
                "form": form,
                "opts": self.model._meta,
                "counts": services.issue_progress(issue.pk),
                "recipients": issue.newsletter.subscriptions.filter(
                    subscriber__status=Subscriber.Status.CONFIRMED
                ).count(),
            },
            status=status,
        )

    def action_view(self, request, pk, action):
        """GET asks for confirmation, POST calls the service (pretix-style)."""
        if action not in ISSUE_ACTIONS:
            raise PermissionDenied
        issue = self._issue(request, pk)
        transition, service, label, question = ISSUE_ACTIONS[action]
        self._may_send(request, transition)
        if request.method != "POST" and not Issue.transitions.can(issue, transition):
            # A link from a page left open: say why instead of asking.
            try:
                Issue.transitions.check(issue, transition)
            except services.IssueStateError as error:
                self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:newsletters_issue_change", issue.pk)
        form = ScheduleForm(request.POST or None) if action == "schedule" else None
        if request.method == "POST":
            if form is not None and not form.is_valid():
                return self._confirm(request, issue, action, label, question, form, status=400)
            kwargs = {"issue_id": issue.pk, "actor": request.user}
            if form is not None:
                kwargs["when"] = form.cleaned_data["when"]
            try:
                service(**kwargs)
            except services.IssueStateError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect("admin:newsletters_issue_change", issue.pk)
            self.message_user(request, _("Done: %(action)s.") % {"action": label})
            if action in ("send", "resume"):
                return redirect("admin:newsletters_issue_progress", issue.pk)
            return redirect("admin:newsletters_issue_change", issue.pk)
        return self._confirm(request, issue, action, label, question, form)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        issue = Issue.objects.filter(pk=object_id).first()
        if issue is not None:
            extra_context["issue_actions"] = self._available_actions(issue, request.user)
            extra_context["issue"] = issue
        return super().change_view(request, object_id, form_url, extra_context)
