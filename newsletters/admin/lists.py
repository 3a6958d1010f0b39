from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from common.pagecache import PublicPagesAdminMixin

from ..models import NewsletterList


@admin.register(NewsletterList)
class NewsletterListAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "language", "is_active", "order", "slug")
    list_filter = ("is_active", "language")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
