"""Members and the "How to get involved" text of each kind of membership."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from ..models import Membership, MembershipTier


@admin.register(MembershipTier)
class MembershipTierAdmin(TabbedTranslationAdmin):
    list_display = ("title", "type", "order")
    list_editable = ("order",)
    search_fields = ("title", "summary")


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
