import reversion
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models.functions import ExtractYear
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from common.admin import (
    CurationAdminMixin,
    MissingLanguageFilter,
    RevisionsAdminMixin,
    name_through_rows,
)
from common.pagecache import PublicPagesAdminMixin

from . import services
from .csv_io.admin import ResourceCSVAdminMixin
from .models import Language, Resource, ResourceVersion, Topic


@admin.register(Topic)
class TopicAdmin(PublicPagesAdminMixin, TabbedTranslationAdmin):
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


class LinkFilter(admin.SimpleListFilter):
    """Resources with a link to a document elsewhere that may be broken, or that no
    check has reached yet (resources.services.links)."""

    title = _("links elsewhere")
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [
            (ResourceVersion.LinkStatus.BROKEN, _("May be broken")),
            (ResourceVersion.LinkStatus.UNCHECKED, _("Not checked")),
        ]

    def queryset(self, request, queryset):
        if self.value() in (
            ResourceVersion.LinkStatus.BROKEN,
            ResourceVersion.LinkStatus.UNCHECKED,
        ):
            versions = ResourceVersion.objects.exclude(external_url="").filter(
                link_status=self.value()
            )
            return queryset.filter(pk__in=versions.values("resource_id"))
        return queryset


class KindSelect(forms.Select):
    """A form sent without the kind (one written before it existed) means the default,
    so a blank extra version stays blank rather than becoming a change."""

    def value_from_datadict(self, data, files, name):
        return data.get(name) or ResourceVersion.Kind.FULL


class VersionInline(admin.StackedInline):
    model = ResourceVersion
    # One empty version shown, so a file can be uploaded without "Add another" first;
    # left blank it is not saved (KindSelect).
    extra = 1
    fields = (
        "language",
        "kind",
        "file",
        "external_url",
        "page_count",
        "file_format",
        "size",
        "extraction_status",
        "extraction_attempts",
        ("link_status", "link_http_status", "link_checked_at", "link_error"),
    )
    readonly_fields = (
        "file_format",
        "size",
        "extraction_status",
        "extraction_attempts",
        "link_status",
        "link_http_status",
        "link_checked_at",
        "link_error",
    )
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("file size"))
    def size(self, version):
        return filesizeformat(version.file_size) if version.file_size else "—"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["widget"] = KindSelect
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Earlier versions of a resource hold its language versions' rows; a restored version
# names the file that is stored now under that name (files themselves are not copied).
reversion.register(ResourceVersion)
reversion.register(Resource, follow=("versions",))
name_through_rows(*Resource._meta.many_to_many)


@admin.register(Resource)
class ResourceAdmin(
    ResourceCSVAdminMixin,
    CurationAdminMixin,
    RevisionsAdminMixin,
    PublicPagesAdminMixin,
    TabbedTranslationAdmin,
):
    list_display = (
        "title",
        "languages",
        "files",
        "type",
        "publication_date",
        "is_key",
        "status",
        "download_count",
        "is_demo",
    )
    list_filter = (
        "status",
        "type",
        "topics",
        LanguageFilter,
        YearFilter,
        "is_key",
        "initiatives",
        LinkFilter,
        MissingLanguageFilter,
        "is_demo",
    )
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title_en",)}
    autocomplete_fields = ("topics", "initiatives", "regions", "countries", "publishers")
    readonly_fields = ("download_count", "published_at", "is_demo")
    date_hierarchy = "publication_date"
    inlines = [VersionInline]
    actions = ["publish", "unpublish", "mark_key", "export_csv"]
    change_list_template = "admin/resources/resource/change_list.html"
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "type")}),
        (
            _("Classification"),
            {"fields": ("topics", "initiatives", "regions", "countries", "publishers")},
        ),
        (_("Publication"), {"fields": (("publication_date", "publication_precision"),)}),
        (_("Picture"), {"fields": ("thumbnail",)}),
        (
            _("Publishing"),
            {"fields": ("status", "is_key", "published_at", "download_count", "is_demo")},
        ),
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "resources_resource_changelist":
            versions = ResourceVersion.objects.defer("extracted_text").order_by("language", "pk")
            queryset = queryset.prefetch_related(models.Prefetch("versions", queryset=versions))
        return queryset

    @admin.display(description=_("files"))
    def files(self, resource):
        """Each language version: its size and whether its text was read (search finds
        a file by its text only once it is read)."""
        parts = []
        for version in resource.versions.all():
            if version.file:
                parts.append(
                    f"{version.language}: {filesizeformat(version.file_size or 0)}, "
                    f"{version.get_extraction_status_display()}"
                )
            elif version.external_url:
                parts.append(f"{version.language}: {_('link')}")
        return "; ".join(parts) or "—"

    def save_model(self, request, obj, form, change):
        """Write the resource through the services, which check, date a first
        publication and record the change in the audit trail in this transaction.

        The values are read from obj, where the form has put them in the model's terms
        (a cleared thumbnail is "", not False)."""
        fields = {field.name for field in Resource._meta.concrete_fields}
        relations = {
            name: [related.pk for related in form.cleaned_data[name]]
            for name in services.RELATIONS
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }
        if change:
            changes = {name: getattr(obj, name) for name in form.changed_data if name in fields}
            services.resource_update(
                actor=request.user, resource_id=obj.pk, changes=changes, relations=relations
            )
        else:
            values = {name: getattr(obj, name) for name in form.cleaned_data if name in fields}
            created = services.resource_create(
                actor=request.user, values=values, relations=relations
            )
            # The inline versions are saved with this object as their resource.
            obj.pk = created.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The relations were written with the resource (save_model): only the versions.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        services.resource_versions_saved(resource_id=form.instance.pk)

    def save_formset(self, request, form, formset, change):
        if formset.model is ResourceVersion:
            for version_form in formset.forms:
                if version_form.has_changed() and {"file", "external_url"} & set(
                    version_form.changed_data
                ):
                    services.version_file_changed(version_form.instance)
        super().save_formset(request, form, formset, change)

    def construct_change_message(self, request, form, formsets, add=False):
        # The services wrote the resource's own line (created, changed, published); what
        # the admin adds is what happened to its language versions, if anything.
        message = super().construct_change_message(request, form, formsets, add)
        return [part for part in message if "object" in next(iter(part.values()))]

    def log_addition(self, request, obj, message):
        return super().log_addition(request, obj, message) if message else None

    def log_change(self, request, obj, message):
        return super().log_change(request, obj, message) if message else None

    def _selected(self, queryset):
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description=_("Publish the selected resources"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.resource_publish(
            actor=request.user, resource_ids=self._selected(queryset)
        )
        self.message_user(
            request,
            ngettext("%(count)d resource published.", "%(count)d resources published.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected resources"), permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.resource_unpublish(
            actor=request.user, resource_ids=self._selected(queryset)
        )
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
        changed = services.resource_mark_key(
            actor=request.user, resource_ids=self._selected(queryset)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d resource marked as key.", "%(count)d resources marked as key.", changed
            )
            % {"count": changed},
            messages.SUCCESS,
        )
