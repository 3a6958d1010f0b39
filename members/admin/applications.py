"""The membership reviewers' queue: applications, their history and the reviewers'
actions. Every action goes through members.services."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..forms import ApprovalForm, ReviewerMessageForm
from ..models import Application, ApplicationEvent
from .decisions import DecisionMixin, with_answer_received
from .duplicates import possible_duplicates
from .filters import AgeFilter, CountryFilter, StatusFilter
from .funnel import FunnelMixin
from .personal_data import PersonalDataMixin
from .review import AssigneeFilter, ReviewMixin


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("created", "actor", "from_status", "to_status", "note")
    readonly_fields = fields
    ordering = ("created", "pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


APPLICATION_FIELDSETS = (
    (
        None,
        {
            "fields": (
                "status",
                "membership_type",
                "applicant_kind",
                "applicant",
                "language",
                "duplicates",
                "submitted_at",
                "decided_at",
            )
        },
    ),
    (
        _("Organisation"),
        {
            "fields": (
                "org_name",
                "org_acronym",
                "org_type",
                "hq_country",
                "countries_list",
                "website",
                "cp_work",
                ("focal_name", "focal_title"),
                ("focal_email", "focal_phone"),
                ("alternate_name", "alternate_title"),
                ("alternate_email", "alternate_phone"),
            )
        },
    ),
    (_("Individual"), {"fields": ("person_name", "affiliation", "expertise", "person_country")}),
    (
        _("Motivation and commitments"),
        {
            "fields": (
                "motivation",
                "accepts_principles",
                "accepts_cpms",
                "accepts_code_of_conduct",
                "commitments_accepted_at",
                "document_link",
                "consent_given_at",
                "consent_text",
                "wants_newsletter",
                "newsletter_consent_text",
                "anonymised_at",
            )
        },
    ),
)


@admin.register(Application)
class ApplicationAdmin(
    DecisionMixin, ReviewMixin, FunnelMixin, PersonalDataMixin, admin.ModelAdmin
):
    list_display = (
        "name",
        "applicant_kind",
        "membership_type",
        "status",
        "country",
        "submitted_at",
        "waiting",
        "turn",
        "assignee_name",
        "duplicate_flag",
    )
    list_filter = (
        StatusFilter,
        AssigneeFilter,
        "membership_type",
        "applicant_kind",
        CountryFilter,
        AgeFilter,
    )
    list_select_related = ("hq_country", "person_country", "assignee")
    search_fields = ("org_name", "org_acronym", "person_name", "contact_email", "focal_email")
    ordering = ("submitted_at", "pk")
    fieldsets = APPLICATION_FIELDSETS
    inlines = [EventInline]
    actions = ["start_review", "request_information", "approve", "decline"]
    date_hierarchy = "submitted_at"

    def get_readonly_fields(self, request, obj=None):
        # Reviewers decide through the actions; the applicant's answers are theirs.
        return [
            *(field.name for field in Application._meta.concrete_fields if field.name != "id"),
            "countries_list",
            "duplicates",
            "document_link",
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return with_answer_received(super().get_queryset(request).with_duplicate_flags())

    @admin.display(description=_("name"), ordering="org_name")
    def name(self, obj):
        return obj.display_name or "—"

    @admin.display(description=_("country"))
    def country(self, obj):
        return obj.country or "—"

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        if obj.submitted_at is None or obj.status not in Application.OPEN_STATUSES:
            return "—"
        days = (timezone.now() - obj.submitted_at).days
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    @admin.display(description=_("possible duplicate"), boolean=False)
    def duplicate_flag(self, obj):
        reasons = []
        if getattr(obj, "duplicate_name", False):
            reasons.append(gettext("same name"))
        if getattr(obj, "duplicate_domain", False):
            reasons.append(gettext("same e-mail domain"))
        if not reasons:
            return ""
        return format_html('<strong class="errornote">⚠ {}</strong>', ", ".join(reasons))

    @admin.display(description=_("countries of operation"))
    def countries_list(self, obj):
        return ", ".join(str(country) for country in obj.countries.order_by("name")) or "—"

    @admin.display(description=_("supporting document"))
    def document_link(self, obj):
        if not obj.supporting_document:
            return "—"
        url = reverse("members:application_document", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.document_name or gettext("Download"))

    @admin.display(description=_("possible duplicates"))
    def duplicates(self, obj):
        found = possible_duplicates(obj)
        if not found:
            return gettext("None found")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", '<li><a href="{}">{}</a> ({})</li>', found),
        )

    # Actions: each loops over the service, which refuses what its state does not allow.
    # Which actions are offered, and to whom, is Application.transitions: the change page
    # shows those its state allows, the list those of the statuses it shows.

    def _may(action):
        def has_permission(self, request, obj=None):
            if obj is not None:
                return Application.transitions.can(obj, action, actor=request.user)
            return Application.transitions.permits(request.user, action)

        has_permission.__name__ = f"has_{action}_permission"
        return has_permission

    has_start_review_permission = _may("start_review")
    has_request_information_permission = _may("request_information")
    has_approve_permission = _may("approve")
    has_decline_permission = _may("decline")
    del _may

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.method != "GET":
            # A posted action runs (from a page left open, say): the service refuses
            # what the state no longer allows, and the reviewer reads why.
            return actions
        states = StatusFilter.statuses(request.GET.get(StatusFilter.parameter_name))
        if states is None:
            return actions
        offered = Application.transitions.from_states(states, among=actions)
        return {name: action for name, action in actions.items() if name in offered}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        if application is not None:
            extra_context = {
                **(extra_context or {}),
                **self.review_context(request, application),
                **self.decision_context(request, application),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def _run(self, request, queryset, service, done, per_application=None, **kwargs):
        changed, refused = 0, []
        for application in queryset:
            extra = per_application(application) if per_application else {}
            try:
                service(application=application, actor=request.user, **kwargs, **extra)
                changed += 1
            except (services.TransitionNotAllowed, services.SameNameMember) as error:
                refused.append(f"{application}: {error}")
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Start reviewing"), permissions=["start_review"])
    def start_review(self, request, queryset):
        self._run(
            request,
            queryset,
            services.application_start_review,
            gettext("%(count)d application(s) now under review."),
        )

    def _with_message(
        self,
        request,
        queryset,
        *,
        title,
        service,
        done,
        required,
        form=None,
        per_application=None,
    ):
        """The intermediate page where the reviewer writes the message to send."""
        if form is None:
            form = ReviewerMessageForm(
                request.POST if "confirm" in request.POST else None, required=required
            )
        if "confirm" in request.POST and form.is_valid():
            message = form.cleaned_data["message"]
            keyword = "message" if service is services.application_request_information else "note"
            self._run(
                request,
                queryset,
                service,
                done,
                per_application=per_application,
                **{keyword: message},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
            "cancel_url": getattr(request, "decision_return_url", None)
            or reverse("admin:members_application_changelist"),
            "lists_in_directory": service is services.application_approve
            and any(application.is_organisation for application in queryset),
        }
        return TemplateResponse(request, "admin/members/application/action_message.html", context)

    @admin.action(description=_("Request more information…"), permissions=["request_information"])
    def request_information(self, request, queryset):
        return self._with_message(
            request,
            queryset,
            title=gettext("Request more information"),
            service=services.application_request_information,
            done=gettext("Information requested on %(count)d application(s)."),
            required=True,
        )

    @admin.action(description=_("Approve…"), permissions=["approve"])
    def approve(self, request, queryset):
        """Asks, for each application whose organisation name is already a member
        through another account, whether it is that member or a different one."""
        conflicts = []
        for application in queryset.filter(status__in=Application.transitions.sources("approve")):
            membership = services.same_name_member(application)
            if membership is not None:
                conflicts.append((application, membership))
        form = ApprovalForm(
            request.POST if "confirm" in request.POST else None, conflicts=conflicts
        )
        return self._with_message(
            request,
            queryset,
            title=gettext("Approve"),
            service=services.application_approve,
            done=gettext("%(count)d application(s) approved."),
            required=False,
            form=form,
            per_application=lambda application: {"same_name": form.same_name(application)},
        )

    @admin.action(description=_("Decline…"), permissions=["decline"])
    def decline(self, request, queryset):
        return self._with_message(
            request,
            queryset,
            title=gettext("Decline"),
            service=services.application_decline,
            done=gettext("%(count)d application(s) declined."),
            required=True,
        )
