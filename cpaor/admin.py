from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from .models import Strategy, StrategyGoal, User

admin.site.site_header = _("CP AoR portal administration")
admin.site.site_title = _("CP AoR portal")
admin.site.index_title = _("Content and membership")


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ("email", "username", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "username", "first_name", "last_name")


class StrategyGoalInline(TranslationTabularInline):
    model = StrategyGoal
    extra = 1


@admin.register(Strategy)
class StrategyAdmin(TabbedTranslationAdmin):
    list_display = ("title", "start_year", "end_year", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title",)
    inlines = [StrategyGoalInline]


@admin.register(LogEntry)
class AuditTrailAdmin(admin.ModelAdmin):
    """Every staff action, read-only: admin edits and the actions services record."""

    list_display = ("action_time", "user", "content_type", "record", "action", "message")
    list_filter = ("action_flag", "content_type", "user")
    search_fields = ("object_repr", "change_message", "user__email", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")
    ordering = ("-action_time",)

    @admin.display(description=_("record"), ordering="object_repr")
    def record(self, entry):
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                args=[entry.object_id],
            )
        except (NoReverseMatch, AttributeError):
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry):
        return entry.get_action_flag_display()

    @admin.display(description=_("what was done"))
    def message(self, entry):
        return entry.get_change_message()

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
