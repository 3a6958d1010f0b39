"""Bounce reports: who did not get an issue, or called it spam, and what said so. Read
only: reports are what mail servers and providers told us, changed by nobody."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import BounceReport


@admin.register(BounceReport)
class BounceReportAdmin(admin.ModelAdmin):
    list_display = ("received", "kind", "source", "email", "subscriber", "issue")
    list_filter = ("kind", "source")
    search_fields = ("email",)
    list_select_related = ("subscriber", "delivery__issue")
    fields = ("received", "kind", "source", "email", "subscriber", "issue", "detail")
    readonly_fields = fields
    date_hierarchy = "received"

    @admin.display(description=_("issue"), ordering="delivery__issue")
    def issue(self, report):
        return report.delivery.issue if report.delivery else None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
