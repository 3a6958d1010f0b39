"""Members and the "How to get involved" text of each kind of membership."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from ..models import FocalPoint, FocalPointInvitation, Membership, MembershipTier


class RenewalFilter(admin.SimpleListFilter):
    """Who to follow up: renewals coming, renewals missed (still in the grace period),
    and the members who lapsed."""

    title = _("renewal")
    parameter_name = "renewal"
    SOON, OVERDUE, LAPSED = "soon", "overdue", "lapsed"

    def lookups(self, request, model_admin):
        days = max(settings.MEMBERSHIP_RENEWAL_REMINDER_DAYS)
        return [
            (self.SOON, _("Renewal due in %(days)s days") % {"days": days}),
            (self.OVERDUE, _("Renewal overdue")),
            (self.LAPSED, _("Lapsed")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == self.SOON:
            days = max(settings.MEMBERSHIP_RENEWAL_REMINDER_DAYS)
            return queryset.active().filter(
                renewal_due__gte=today, renewal_due__lte=today + timedelta(days=days)
            )
        if self.value() == self.OVERDUE:
            return queryset.active().filter(renewal_due__lt=today)
        if self.value() == self.LAPSED:
            return queryset.filter(status=Membership.Status.LAPSED)
        return queryset


@admin.register(MembershipTier)
class MembershipTierAdmin(TabbedTranslationAdmin):
    list_display = ("title", "type", "order")
    list_editable = ("order",)
    search_fields = ("title", "summary")


class FocalPointInline(admin.TabularInline):
    """Who represents the member; staff add or remove one here when nobody is left to
    invite a colleague (a focal point cannot leave a member with none)."""

    model = FocalPoint
    fk_name = "membership"
    extra = 0
    fields = ("user", "added_by", "created")
    readonly_fields = ("added_by", "created")
    raw_id_fields = ("user",)
    verbose_name_plural = _("focal points")


class InvitationInline(admin.TabularInline):
    """The focal points' invitations, as a record: they are sent and withdrawn in the
    members' area."""

    model = FocalPointInvitation
    extra = 0
    can_delete = False
    fields = ("email", "invited_by", "created", "accepted_at", "accepted_by", "revoked_at")
    readonly_fields = fields
    ordering = ("-created", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    inlines = (FocalPointInline, InvitationInline)
    list_display = (
        "__str__",
        "type",
        "org_type",
        "member_since",
        "status",
        "renewal_due",
        "confirmed_at",
    )
    list_filter = (RenewalFilter, "status", "type", "org_type", "countries")
    list_select_related = ("partner",)
    search_fields = ("partner__name", "partner__acronym", "person_name")
    autocomplete_fields = ("partner", "countries")
    raw_id_fields = ("user", "application")
    readonly_fields = ("application", "confirmed_at", "lapsed_at")
    date_hierarchy = "member_since"
