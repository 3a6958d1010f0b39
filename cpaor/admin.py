from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from common.pagecache import PublicPagesAdminMixin

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
class StrategyAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    list_display = ("title", "start_year", "end_year", "is_published")
    list_filter = ("is_published",)
    search_fields = ("title",)
    inlines = [StrategyGoalInline]
