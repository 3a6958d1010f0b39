"""Deciding from an application's own page: its buttons (Start reviewing, Request more
information…, Approve…, Decline…) run the queue's actions on that one application, with
the same confirmation pages, and lead back to the application's page. Which buttons
show is Application.transitions (state and permission); the services refuse the rest.

The page saves nothing itself (every field is the applicant's or the services'), so it
has no Save button and is titled for what it is; notes and the assignee have forms of
their own (review.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext

from ..models import Application, ApplicationEvent

Status = Application.Status


def answers():
    """The applicant's answers to requests for information, newest first."""
    return ApplicationEvent.objects.filter(
        from_status=Status.INFORMATION_REQUESTED, to_status=Status.SUBMITTED
    ).order_by("-created", "-pk")


def with_answer_received(queryset):
    """Annotates answered_at: when the applicant last answered a request, for the
    applications now back with the reviewers (the queue's "answer received" mark)."""
    return queryset.annotate(
        answered_at=Subquery(answers().filter(application=OuterRef("pk")).values("created")[:1])
    )


def answer_received(application):
    """The latest answer, while the application waits for the reviewers after it."""
    if application.turn != "reviewers":
        return None
    return answers().filter(application=application).first()


class DecisionMixin:
    """The application page's decision buttons and its title; the queue's mark."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/decide/<str:action>/",
                wrap(self.decide_view),
                name="members_application_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk, action):
        """POST from the application's page: the queue's action for this application
        alone; its confirmation page posts back here, and the end is the page again."""
        if action not in self.actions:
            raise Http404
        application = self.get_object(request, str(pk))
        if application is None:
            raise Http404
        page = reverse("admin:members_application_change", args=[application.pk])
        if request.method != "POST":
            return redirect(page)
        function, name, _description = self.get_action(action)
        if not getattr(self, f"has_{name}_permission")(request):
            raise PermissionDenied
        # The confirmation page's Cancel leads back to the page the reviewer came from.
        request.decision_return_url = page
        response = function(self, request, self.get_queryset(request).filter(pk=application.pk))
        return response or redirect(page)

    def decision_context(self, request, application):
        names = Application.transitions.allowed(application, actor=request.user, among=self.actions)
        return {
            "title": gettext("Membership application: %(name)s") % {"name": application},
            "subtitle": None,
            "decisions": [
                (
                    reverse("admin:members_application_decide", args=[application.pk, name]),
                    self.get_action(name)[2],
                )
                for name in names
            ],
            "answer": answer_received(application),
            # Nothing on this page is a field the reviewer edits: no Save to press.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            # The page has no Save button; a post of it (an old tab, a script) is told
            # that nothing was saved rather than "changed successfully".
            self.message_user(
                request,
                gettext("Nothing was saved: decide with the buttons at the top of the page."),
                messages.WARNING,
            )
            return redirect(reverse("admin:members_application_change", args=[object_id]))
        return super().changeform_view(request, object_id, form_url, extra_context)
