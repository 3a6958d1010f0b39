"""The membership reviewers' queue. Every action goes through members.services."""

import json
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from common import audit

from . import services
from .forms import ApprovalForm, PersonLookupForm, ReviewerMessageForm
from .models import (
    WEBMAIL_DOMAINS,
    Application,
    ApplicationEvent,
    Membership,
    MembershipTier,
    email_domain,
    name_key,
)


@admin.register(MembershipTier)
class MembershipTierAdmin(TabbedTranslationAdmin):
    list_display = ("title", "type", "order")
    list_editable = ("order",)
    search_fields = ("title", "summary")


class StatusFilter(admin.SimpleListFilter):
    """Defaults to the applications waiting for a reviewer: what staff need today."""

    title = _("status")
    parameter_name = "status"
    OPEN = "open"

    def lookups(self, request, model_admin):
        return [
            (self.OPEN, _("Waiting for a decision")),
            *Application.Status.choices,
            ("all", _("All")),
        ]

    def value(self):
        return super().value() or self.OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.OPEN:
            return queryset.filter(status__in=Application.OPEN_STATUSES)
        if value in Application.Status.values:
            return queryset.filter(status=value)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = _("waiting for")
    parameter_name = "age"
    DAYS = {"week": 7, "month": 30, "quarter": 90}

    def lookups(self, request, model_admin):
        return [
            ("week", _("More than a week")),
            ("month", _("More than a month")),
            ("quarter", _("More than three months")),
        ]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value())
        if days:
            return queryset.filter(submitted_at__lt=timezone.now() - timedelta(days=days))
        return queryset


class CountryFilter(admin.SimpleListFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        from initiatives.models import Country

        used = Application.objects.exclude(hq_country=None).values("hq_country")
        used_people = Application.objects.exclude(person_country=None).values("person_country")
        return [
            (country.iso_code, country.name)
            for country in Country.objects.filter(pk__in=used.union(used_people)).order_by("name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            from django.db.models import Q

            return queryset.filter(
                Q(hq_country__iso_code=self.value()) | Q(person_country__iso_code=self.value())
            )
        return queryset


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
                "anonymised_at",
            )
        },
    ),
)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "applicant_kind",
        "membership_type",
        "status",
        "country",
        "submitted_at",
        "waiting",
        "duplicate_flag",
    )
    list_filter = (StatusFilter, "membership_type", "applicant_kind", CountryFilter, AgeFilter)
    list_select_related = ("hq_country", "person_country")
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
        return super().get_queryset(request).with_duplicate_flags()

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

    @admin.action(description=_("Start reviewing"), permissions=["change"])
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
        }
        return TemplateResponse(request, "admin/members/application/action_message.html", context)

    @admin.action(description=_("Request more information…"), permissions=["change"])
    def request_information(self, request, queryset):
        return self._with_message(
            request,
            queryset,
            title=gettext("Request more information"),
            service=services.application_request_information,
            done=gettext("Information requested on %(count)d application(s)."),
            required=True,
        )

    @admin.action(description=_("Approve…"), permissions=["change"])
    def approve(self, request, queryset):
        """Asks, for each application whose organisation name is already a member
        through another account, whether it is that member or a different one."""
        conflicts = []
        for application in queryset.filter(
            status__in=(Application.Status.SUBMITTED, Application.Status.UNDER_REVIEW)
        ):
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

    @admin.action(description=_("Decline…"), permissions=["change"])
    def decline(self, request, queryset):
        return self._with_message(
            request,
            queryset,
            title=gettext("Decline"),
            service=services.application_decline,
            done=gettext("%(count)d application(s) declined."),
            required=True,
        )

    # GDPR: one person's data, exported or erased.

    def get_urls(self):
        return [
            path(
                "person-data/",
                self.admin_site.admin_view(self.person_data_view),
                name="members_application_person_data",
            ),
            *super().get_urls(),
        ]

    def person_data_view(self, request):
        if not request.user.has_perm("members.erase_personal_data"):
            raise PermissionDenied
        form = PersonLookupForm(request.POST or request.GET or None)
        person = None
        if form.is_bound and form.is_valid():
            person = (
                get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
            )
            if person is None:
                form.add_error("email", gettext("No account has this e-mail address."))
        if person is not None and request.method == "POST":
            if "export" in request.POST:
                data = services.person_export(user=person)
                response = HttpResponse(
                    json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = (
                    f'attachment; filename="personal-data-{person.pk}.json"'
                )
                return response
            if "erase" in request.POST and request.POST.get("confirm_erase") == "yes":
                count = services.person_erase(user=person, actor=request.user)
                audit.record(
                    actor=request.user,
                    obj=person,
                    message=f"Erased personal data; {count} application(s) anonymised",
                    label=f"account #{person.pk}",
                )
                self.message_user(
                    request,
                    gettext(
                        "Personal data erased: the account is closed and %(count)d "
                        "application(s) anonymised."
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:members_application_person_data"))
            if "erase" in request.POST:
                form.add_error(None, gettext("Tick the box to confirm the erasure."))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("A person's data (GDPR request)"),
            "form": form,
            "person": person,
            "applications": (
                Application.objects.filter(applicant=person).order_by("created") if person else []
            ),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/members/application/person_data.html", context)


def possible_duplicates(application):
    """(admin URL, name, reason) of open applications and members that look like the same
    organisation: the same name ignoring case and accents, or the same e-mail domain."""
    from django.db.models import Value

    found = []
    key = application.org_name.strip()
    domain = email_domain(application.contact_email)
    others = Application.objects.open().exclude(pk=application.pk)
    if key:
        for other in others.annotate(k=name_key("org_name")).filter(k=name_key(Value(key))):
            found.append(
                (
                    reverse("admin:members_application_change", args=[other.pk]),
                    str(other),
                    gettext("open application with the same name"),
                )
            )
        for member in (
            Membership.objects.annotate(k=name_key("partner__name"))
            .filter(k=name_key(Value(key)))
            .select_related("partner")
        ):
            found.append(
                (
                    reverse("admin:members_membership_change", args=[member.pk]),
                    str(member),
                    gettext("member with the same name"),
                )
            )
    if domain and domain not in WEBMAIL_DOMAINS:
        for other in others.filter(contact_email__iendswith="@" + domain):
            found.append(
                (
                    reverse("admin:members_application_change", args=[other.pk]),
                    str(other),
                    gettext("open application from the same e-mail domain"),
                )
            )
        for member in Membership.objects.filter(email_domain=domain).select_related("partner"):
            found.append(
                (
                    reverse("admin:members_membership_change", args=[member.pk]),
                    str(member),
                    gettext("member with the same e-mail domain"),
                )
            )
    return found


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("__str__", "type", "org_type", "member_since", "status")
    list_filter = ("status", "type", "org_type", "countries")
    list_select_related = ("partner",)
    search_fields = ("partner__name", "partner__acronym", "person_name")
    autocomplete_fields = ("partner", "countries")
    raw_id_fields = ("user", "application")
    readonly_fields = ("application",)
    date_hierarchy = "member_since"
