"""The resource admin's CSV pages: import (a dry run first, then "Import now" with the
same file kept server-side), export of what the list shows, and a template to start from."""

import io
import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Resource
from . import pending
from .columns import COLUMNS, MAX_BYTES, MAX_ROWS, REQUIRED, SEPARATOR
from .exporting import export_resources, export_template

logger = logging.getLogger(__name__)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV with a header row; the columns are listed below."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; split it into smaller files.")
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        return upload


def csv_response(text, name):
    # A byte-order mark, so spreadsheets read the file as UTF-8 (Arabic, accents).
    response = HttpResponse("\ufeff" + text, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ResourceCSVAdminMixin:
    """For ResourceAdmin: the import, export and template pages, and the export action."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/template.csv",
                wrap(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path("export/", wrap(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_view(self, request):
        """Check a CSV file (dry run), or import it: every row or none. After a clean
        check, "Import now" imports the file checked, kept for an hour."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        report = None
        status = 200
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and "_import_checked" in request.POST:
            form = ImportForm()
            data = pending.read(request)
            if data is None:
                self.message_user(
                    request,
                    _(
                        "The checked file is no longer kept (an hour has passed, or it was "
                        "imported); choose it again."
                    ),
                    messages.ERROR,
                )
                status = 400
            else:
                report = services.resources_import_csv(actor=request.user, data=data, dry_run=False)
                if report.ok:
                    pending.discard(request)
                    return self._imported(request, report)
        elif request.method == "POST" and form.is_valid():
            dry_run = "_import" not in request.POST
            upload = form.cleaned_data["file"]
            data = upload.read()
            report = services.resources_import_csv(actor=request.user, data=data, dry_run=dry_run)
            if report.ok and dry_run:
                try:
                    pending.keep(request, data, upload.name)
                except Exception:
                    # The storage is unreachable (a disk, or a bucket's own errors): the
                    # check stands, and the page asks for the file again to import it.
                    logger.exception("A checked CSV file could not be kept")
                    pending.discard_quietly(request)
            elif report.ok:
                pending.discard(request)
                return self._imported(request, report)
        elif request.method == "POST":
            status = 400
        if report is not None and not report.ok:
            status = 400
        checked = pending.kept(request) if report is not None and report.ok else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import resources from CSV"),
            "form": form,
            "report": report,
            "checked": checked,
            "columns": COLUMNS,
            "required_columns": REQUIRED,
            "types": Resource.Type.values,
            "separator": SEPARATOR,
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(
            request, "admin/resources/resource/import.html", context, status=status
        )

    def _imported(self, request, report):
        self.message_user(
            request,
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            },
            messages.SUCCESS,
        )
        return redirect("admin:resources_resource_changelist")

    def import_template_view(self, request):
        """The header row and one example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        stream = io.StringIO()
        export_template(stream)
        return csv_response(stream.getvalue(), "resources-template.csv")

    def export_view(self, request):
        """Every resource the changelist shows with the current filters and search."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._csv_response(changelist.queryset)

    def _csv_response(self, queryset):
        stream = io.StringIO()
        export_resources(queryset, stream)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(stream.getvalue(), f"resources-{stamp}.csv")

    def export_csv(self, request, queryset):
        return self._csv_response(queryset)

    export_csv.short_description = _("Export the selected resources to CSV")
    export_csv.allowed_permissions = ("view",)
