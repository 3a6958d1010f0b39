from django.contrib import admin, messages
from django.db import models
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from . import services
from .models import Language, Resource, ResourceVersion, Topic


@admin.register(Topic)
class TopicAdmin(TabbedTranslationAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name_en",)}


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return Language.choices

    def queryset(self, request, queryset):
        if self.value():
            versions = ResourceVersion.objects.filter(language=self.value())
            return queryset.filter(pk__in=versions.values("resource_id"))
        return queryset


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Resource.objects.exclude(publication_date=None)
            .annotate(year=ExtractYear("publication_date"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(publication_date__year=int(self.value()))
        return queryset


class VersionInline(admin.StackedInline):
    model = ResourceVersion
    extra = 0
    fields = (
        "language",
        "file",
        "external_url",
        "page_count",
        "file_format",
        "file_size",
        "extraction_status",
    )
    readonly_fields = ("file_format", "file_size", "extraction_status")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Resource)
class ResourceAdmin(TabbedTranslationAdmin):
    list_display = ("title", "type", "publication_date", "is_key", "status", "download_count")
    list_filter = ("status", "type", "topics", LanguageFilter, YearFilter, "is_key")
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ("topics", "initiatives", "regions", "countries", "publishers")
    readonly_fields = ("download_count",)
    date_hierarchy = "publication_date"
    inlines = [VersionInline]
    actions = ["publish", "unpublish", "mark_key"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "type")}),
        (
            _("Classification"),
            {"fields": ("topics", "initiatives", "regions", "countries", "publishers")},
        ),
        (_("Publication"), {"fields": (("publication_date", "publication_precision"),)}),
        (_("Picture"), {"fields": ("thumbnail",)}),
        (_("Publishing"), {"fields": ("status", "is_key", "download_count")}),
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is ResourceVersion:
            for version_form in formset.forms:
                if version_form.has_changed() and {"file", "external_url"} & set(
                    version_form.changed_data
                ):
                    services.version_file_changed(version_form.instance)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.resource_saved(resource_id=form.instance.pk)

    @admin.action(description=_("Publish the selected resources"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.resources_publish(resources=list(queryset))
        self.message_user(
            request,
            ngettext("%(count)d resource published.", "%(count)d resources published.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected resources"), permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.resources_unpublish(resources=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d resource returned to draft.",
                "%(count)d resources returned to draft.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected resources as key"), permissions=["change"])
    def mark_key(self, request, queryset):
        changed = services.resources_mark_key(resources=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d resource marked as key.", "%(count)d resources marked as key.", changed
            )
            % {"count": changed},
            messages.SUCCESS,
        )
