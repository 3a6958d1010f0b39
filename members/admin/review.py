"""Reviewers on an application's page: its internal notes (the applicant never sees
them), who looks after it, and the documents the applicant sent with answers; in the
queue, who looks after each application and whose turn it is."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.groups import MEMBERSHIP_REVIEWERS

from .. import services
from ..models import Application

TURNS = {"applicant": _("Applicant"), "reviewers": _("Reviewers")}


def reviewers():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name=MEMBERSHIP_REVIEWERS) | Q(is_superuser=True))
        .distinct()
        .order_by("email", "pk")
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=5000,
        strip=True,
        help_text=_("Only reviewers see it: the applicant never does."),
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Looked after by"),
        queryset=reviewers(),
        required=False,
        empty_label=_("Nobody in particular"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()
        self.fields["assignee"].label_from_instance = lambda user: user.email or user.get_username()


class AssigneeFilter(admin.SimpleListFilter):
    title = _("looked after by")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("nobody", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "nobody":
            return queryset.filter(assignee__isnull=True)
        return queryset


class ReviewMixin:
    """The application admin's notes, assignment and answers' documents."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/note/", wrap(self.note_view), name="members_application_note"),
            path("<int:pk>/assign/", wrap(self.assign_view), name="members_application_assign"),
            *super().get_urls(),
        ]

    @admin.display(description=_("looked after by"), ordering="assignee__email")
    def assignee_name(self, obj):
        return (obj.assignee.email or obj.assignee.get_username()) if obj.assignee else "—"

    @admin.display(description=_("whose turn"))
    def turn(self, obj):
        answered = getattr(obj, "answered_at", None)
        if obj.turn == "reviewers" and answered is not None:
            return gettext("Reviewers: answer received %(date)s") % {
                "date": date_format(timezone.localtime(answered), "SHORT_DATE_FORMAT")
            }
        return TURNS.get(obj.turn, "—")

    def _reviewed(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        application = get_object_or_404(Application, pk=pk)
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        return application

    def _back(self, application):
        return redirect(reverse("admin:members_application_change", args=[application.pk]))

    def note_view(self, request, pk):
        application = self._reviewed(request, pk)
        form = NoteForm(request.POST)
        if form.is_valid():
            services.application_note_add(
                application=application, actor=request.user, text=form.cleaned_data["text"]
            )
            self.message_user(request, gettext("The note is saved."))
        else:
            self.message_user(request, gettext("Write the note."), messages.ERROR)
        return self._back(application)

    def assign_view(self, request, pk):
        application = self._reviewed(request, pk)
        form = AssignForm(request.POST)
        if not form.is_valid():
            self.message_user(request, gettext("Choose a reviewer."), messages.ERROR)
            return self._back(application)
        assignee = form.cleaned_data["assignee"]
        services.application_assign(application=application, actor=request.user, assignee=assignee)
        if assignee is None:
            self.message_user(request, gettext("Nobody in particular looks after it now."))
        else:
            self.message_user(
                request,
                gettext("%(reviewer)s looks after it now.")
                % {"reviewer": assignee.email or assignee.get_username()},
            )
        return self._back(application)

    def review_context(self, request, application):
        return {
            "notes": application.notes.select_related("author"),
            "attachments": application.attachments.select_related("event"),
            "note_form": NoteForm(),
            "assign_form": AssignForm(initial={"assignee": application.assignee_id}),
            "may_review": self.has_change_permission(request, application),
            "turn": TURNS.get(application.turn, ""),
        }
