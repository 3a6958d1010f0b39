import reversion
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from common.admin import (
    CurationAdminMixin,
    MissingLanguageFilter,
    RevisionsAdminMixin,
    name_through_rows,
)
from common.pagecache import PublicPagesAdminMixin

from .models import Contact, Country, Initiative, Milestone, Objective, Partner, Region, Theme


@admin.register(Theme)
class ThemeAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Region)
class RegionAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(Country)
class CountryAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "iso_code", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name", "iso_code")
    autocomplete_fields = ("region",)


@admin.register(Partner)
class PartnerAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
    # The slug is what a resources CSV names in its publishers column.
    list_display = ("name", "acronym", "slug", "website")
    search_fields = ("name", "acronym", "slug")
    prepopulated_fields = {"slug": ("acronym_en", "name_en")}


class ObjectiveInline(TranslationStackedInline):
    model = Objective
    extra = 0
    fields = ("order", "parent", "text")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An objective can only belong to an aim of the same initiative.
        if db_field.name == "parent":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Objective.objects.filter(
                initiative_id=object_id, parent__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MilestoneInline(TranslationStackedInline):
    model = Milestone
    extra = 0
    fields = (("date", "precision", "is_approximate"), "title", "place", "description")


class ContactInline(TranslationTabularInline):
    model = Contact
    extra = 0
    fields = ("order", "name", "role", "organisation", "email")


# Earlier versions of an initiative hold its objectives, milestones and contacts (staff
# contacts, public on its page); registered before the admin, which would otherwise
# register them itself.
for _inline_model in (Objective, Milestone, Contact):
    reversion.register(_inline_model)
reversion.register(Initiative, follow=("objectives", "milestones", "contacts"))
name_through_rows(*Initiative._meta.many_to_many)


@admin.register(Initiative)
class InitiativeAdmin(
    CurationAdminMixin, RevisionsAdminMixin, PublicPagesAdminMixin, TabbedTranslationAdmin
):
    # The slug is what a resources CSV names in its initiatives column.
    list_display = (
        "title",
        "slug",
        "languages",
        "status",
        "is_published",
        "is_featured",
        "order",
        "updated",
    )
    list_editable = ("order",)
    list_filter = (
        "is_published",
        "is_featured",
        "status",
        "themes",
        "regions",
        MissingLanguageFilter,
    )
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ("themes", "regions", "countries", "partners")
    date_hierarchy = "start_date"
    inlines = [ObjectiveInline, MilestoneInline, ContactInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (_("Classification"), {"fields": ("status", "themes", "regions", "countries")}),
        (_("Dates"), {"fields": (("start_date", "end_date"),)}),
        (_("Picture"), {"fields": ("hero_image", "hero_alt")}),
        (_("Partners"), {"fields": ("partners",)}),
        (_("Publishing"), {"fields": ("is_published", "is_featured", "order")}),
    )
