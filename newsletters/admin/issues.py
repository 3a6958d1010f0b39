"""Sending an issue and following it: the issue admin, its actions (send, schedule,
pause, resume, cancel, test, resend to the readers whose copy failed, send to readers
who joined after) with their confirmation pages; the progress page (progress.py) and
the recipients (recipients.py). Times show in the editor's zone and in UTC
(scheduling.py)."""

import functools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin import RevisionsAdminMixin

from .. import services
from ..models import Delivery, Issue, Subscriber
from .compose import ComposeMixin, IssueForm
from .featured import FeaturedMixin
from .progress import ProgressMixin, cancelled_text
from .recipients import RecipientsMixin
from .scheduling import (
    ZONED_FIELDS,
    ScheduleForm,
    editor_zone,
    remember_zone,
    when_display,
    zone_displayer,
)
from .testing import TestCopyMixin

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
    "unschedule": (
        "unschedule",
        services.issue_unschedule,
        _("Unschedule"),
        _(
            "Take this issue off the schedule? It becomes a draft again: nothing is sent "
            "until you schedule it or send it."
        ),
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
    "resend": (
        "resend_failed",
        services.issue_resend_failed,
        _("Resend to those who failed"),
        _(
            "Send this issue again to the readers whose copy failed? Readers who received "
            "it do not get it twice."
        ),
    ),
    "new-readers": (
        "send_to_new_readers",
        services.issue_send_to_new_readers,
        _("Send to readers who joined after"),
        _(
            "Send this issue to the confirmed subscribers who joined the list after it "
            "went out? Readers who received it do not get it twice."
        ),
    ),
}


@functools.cache
def cancelled_displayer(zone_name):
    """The cancelled issue page's line in place of "sending finished" (one object per
    zone, as zone_displayer's)."""

    def cancelled(obj):
        sent = obj.deliveries.filter(status__in=[Delivery.Status.SENT, Delivery.Status.BOUNCED])
        return cancelled_text(obj, sent.count(), zone_name)

    cancelled.short_description = _("cancelled")
    return cancelled


# The follow-ups: their confirmation says how many readers they reach, and their
# service returns how many it reached.
FOLLOW_UPS = {"resend", "new-readers"}


@admin.register(Issue)
class IssueAdmin(
    RevisionsAdminMixin,  # earlier versions of the text (common/admin.py)
    ComposeMixin,
    FeaturedMixin,
    TestCopyMixin,
    ProgressMixin,
    RecipientsMixin,
    admin.ModelAdmin,
):
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

    def _zoned(self, request, fields):
        """Times in the zone the editor chose last, with UTC beside them."""
        zone = editor_zone(request)
        return [zone_displayer(zone, f) if f in ZONED_FIELDS else f for f in fields]

    def get_list_display(self, request):
        return self._zoned(request, super().get_list_display(request))

    def get_readonly_fields(self, request, obj=None):
        fields = self._zoned(request, super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Issue.Status.CANCELLED:
            # Its finished_at is when it was cancelled: say that, never "sending finished".
            finished = zone_displayer(editor_zone(request), "finished_at")
            return [
                cancelled_displayer(editor_zone(request)) if f is finished else f for f in fields
            ]
        return fields

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
            path(
                "<int:pk>/progress.json",
                wrap(self.progress_json_view),
                name="newsletters_issue_progress_json",
            ),
            path(
                "<int:pk>/recipients/",
                wrap(self.recipients_view),
                name="newsletters_issue_recipients",
            ),
            path("<int:pk>/test/", wrap(self.test_view), name="newsletters_issue_test"),
            path(
                "<int:pk>/duplicate/",
                wrap(self.duplicate_view),
                name="newsletters_issue_duplicate",
            ),
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

    def _available_actions(self, issue, actor=None):
        """(URL name, label) of the actions the issue's state allows, in the table's order."""
        by_action = {action: name for name, (action, *_rest) in ISSUE_ACTIONS.items()}
        allowed = Issue.transitions.allowed(issue, actor=actor, among=by_action)
        return [(by_action[action], ISSUE_ACTIONS[by_action[action]][2]) for action in allowed]

    def _confirm(self, request, issue, action, label, question, form=None, status=200):
        zone = editor_zone(request)
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
                "scheduled_for": when_display(issue.scheduled_at, zone)
                if issue.scheduled_at
                else None,
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
        form = None
        if action == "schedule":
            form = ScheduleForm(request.POST or None, zone=editor_zone(request))
        if action in FOLLOW_UPS:
            question = self._reach_question(issue, transition, question)
        if request.method == "POST":
            if form is not None and not form.is_valid():
                return self._confirm(request, issue, action, label, question, form, status=400)
            kwargs = {"issue_id": issue.pk, "actor": request.user}
            if form is not None:
                kwargs["when"] = form.cleaned_data["when"]
            try:
                result = service(**kwargs)
            except services.IssueStateError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect("admin:newsletters_issue_change", issue.pk)
            if form is not None:
                remember_zone(request, form.cleaned_data["time_zone"])
                scheduled = when_display(result.scheduled_at, form.cleaned_data["time_zone"])
                self.message_user(request, _("Scheduled for %(when)s.") % {"when": scheduled})
            elif action in FOLLOW_UPS:
                self._reached(request, issue, result)
            elif action == "unschedule":
                self.message_user(
                    request,
                    _("Back to a draft: nothing is sent until you schedule it or send it."),
                )
            else:
                self.message_user(request, _("Done: %(action)s.") % {"action": label})
            if action in ("send", "resume") or action in FOLLOW_UPS:
                return redirect("admin:newsletters_issue_progress", issue.pk)
            return redirect("admin:newsletters_issue_change", issue.pk)
        return self._confirm(request, issue, action, label, question, form)

    def _reach_question(self, issue, transition, question):
        reach = services.issue_reach(issue, transition)
        count = ngettext("It reaches %(count)s reader.", "It reaches %(count)s readers.", reach) % {
            "count": reach
        }
        return f"{question} {count}"

    def _reached(self, request, issue, count):
        if not count:
            self.message_user(request, _("Nobody to send it to: nothing was changed."))
            return
        message = ngettext(
            "On its way to %(count)s more reader.", "On its way to %(count)s more readers.", count
        ) % {"count": count}
        if issue.status == Issue.Status.PAUSED:
            message += " " + _("The issue is paused: they receive it when you resume.")
        self.message_user(request, message)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        # self.get_object() answers None for an id that is no number (Django then says
        # the object does not exist), where filter(pk=…) would raise.
        issue = self.get_object(request, object_id)
        if issue is not None:
            extra_context["issue_actions"] = self._available_actions(issue, request.user)
            extra_context["issue"] = issue
            extra_context["issue_editable"] = self.has_change_permission(request, issue)
            extra_context["may_duplicate"] = self.has_add_permission(request)
        return super().change_view(request, object_id, form_url, extra_context)
