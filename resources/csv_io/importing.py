"""Importing a CSV file: every row is checked (reading), then all of them are written in
one transaction, or none when any row has a problem; a dry run rolls back and reports."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Resource, ResourceVersion
from .columns import COLUMNS, RELATIONS, REQUIRED, TRANSLATED
from .reading import CSVFileError, RowError, _lookups, _parse_row, read_rows


@dataclass
class ImportReport:
    dry_run: bool
    errors: list = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    @property
    def row_count(self):
        return len(self.created) + len(self.updated) + len(self.unchanged)


def _snapshot(resource):
    """What the import may change of a resource, to tell an update from no change."""
    return {
        "fields": {name: getattr(resource, name) for name in _FIELD_NAMES},
        "relations": {
            column: {obj.pk for obj in getattr(resource, column).all()} for column in RELATIONS
        },
        "links": {
            version.language: version.external_url
            for version in resource.versions.all()
            if not version.file
        },
    }


_FIELD_NAMES = [
    *TRANSLATED,
    "type",
    "publication_date",
    "publication_precision",
    "is_key",
    "status",
]


def import_resources(data, *, dry_run):
    """Check every row of a CSV file, then (unless dry_run) write them all in one
    transaction, or nothing at all when any row has a problem."""
    report = ImportReport(dry_run=dry_run)
    try:
        header, raw_rows = read_rows(data)
    except CSVFileError as error:
        report.errors.append(RowError(1, "", str(error)))
        return report

    unknown = [name for name in header if name not in COLUMNS]
    for name in unknown:
        report.errors.append(
            RowError(1, name, _("Unknown column; the columns are: %s.") % ", ".join(COLUMNS))
        )
    duplicated = sorted({name for name in header if header.count(name) > 1})
    for name in duplicated:
        report.errors.append(RowError(1, name, _("This column appears twice.")))
    for name in REQUIRED:
        if name not in header:
            report.errors.append(RowError(1, name, _("This required column is missing.")))
    if report.errors:
        return report
    if not raw_rows:
        report.errors.append(RowError(2, "", _("The file has a header but no resources.")))
        return report

    tables = _lookups(header)
    parsed = []
    first_row = {}
    for number, values in raw_rows:
        if len(values) > len(header):
            report.errors.append(
                RowError(
                    number,
                    "",
                    _("This row has %(count)d cells, more than the %(columns)d columns.")
                    % {"count": len(values), "columns": len(header)},
                )
            )
            continue
        record = dict(zip(header, values + [""] * (len(header) - len(values)), strict=True))
        row = _parse_row(number, record, tables, report.errors)
        slug = record.get("slug", "").strip()
        if slug in first_row:
            report.errors.append(
                RowError(
                    number,
                    "slug",
                    _("“%(slug)s” is already on row %(row)d.")
                    % {"slug": slug, "row": first_row[slug]},
                )
            )
            continue
        if slug:
            first_row[slug] = number
        if row is not None:
            parsed.append(row)

    try:
        with transaction.atomic():
            _apply(parsed, report)
            if report.errors or dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Another curator created one of these slugs at the same moment.
        report.errors.append(
            RowError(1, "slug", _("Resources changed while importing; import the file again."))
        )
    if report.errors:
        report.created, report.updated, report.unchanged = [], [], []
    return report


def _apply(rows, report):
    from ..services import resources_update_search_vectors

    existing = {
        resource.slug: resource
        for resource in Resource.objects.select_for_update(of=("self",))
        .filter(slug__in=[row.slug for row in rows])
        .prefetch_related(
            *RELATIONS,
            Prefetch(
                "versions",
                queryset=ResourceVersion.objects.only(
                    "resource_id", "language", "file", "external_url"
                ),
            ),
        )
    }
    touched = []
    for row in rows:
        resource = existing.get(row.slug)
        if resource is not None:
            before = _snapshot(resource)
            clash = [
                language
                for language in (row.links or {})
                if any(v.language == language and v.file for v in resource.versions.all())
            ]
            if clash:
                report.errors.append(
                    RowError(
                        row.row,
                        "links",
                        _("The %(languages)s version has an uploaded file; change it in admin.")
                        % {"languages": ", ".join(clash)},
                    )
                )
                continue
        else:
            before = None
            resource = Resource(slug=row.slug)
        for name, value in row.fields.items():
            setattr(resource, name, value)
        try:
            resource.full_clean(exclude=["thumbnail", "slug"] if before else ["thumbnail"])
        except ValidationError as problem:
            for column, messages in problem.message_dict.items():
                report.errors.append(RowError(row.row, column, " ".join(messages)))
            continue
        if report.errors:
            continue  # nothing will be kept: spare the writes, keep checking the rest
        if before is not None:
            after = {
                "fields": {name: getattr(resource, name) for name in _FIELD_NAMES},
                "relations": {**before["relations"], **row.relations},
                "links": before["links"] if row.links is None else row.links,
            }
            if after == before:
                # Not even saved: `updated` keeps saying when a person last changed it.
                report.unchanged.append(row.slug)
                continue
        resource.save()
        for column, ids in row.relations.items():
            getattr(resource, column).set(ids)
        if row.links is not None:
            resource.versions.filter(file="").exclude(language__in=list(row.links)).delete()
            for language, url in row.links.items():
                ResourceVersion.objects.update_or_create(
                    resource=resource,
                    language=language,
                    defaults={
                        "external_url": url,
                        "extraction_status": ResourceVersion.Extraction.NOT_APPLICABLE,
                    },
                )
        touched.append(resource.pk)
        (report.created if before is None else report.updated).append(row.slug)
    if touched and not report.errors:
        resources_update_search_vectors(touched)
        Resource.objects.filter(
            pk__in=touched, status=Resource.Status.PUBLISHED, published_at=None
        ).update(published_at=timezone.now())
