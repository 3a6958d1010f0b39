"""Importing a CSV file: every row is checked (reading), then all of them are written in
one transaction, or none when any row has a problem; a dry run rolls back and reports."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .. import services
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
    # {slug: English title}, so the preview names the resources, not only their slugs.
    titles: dict = field(default_factory=dict)

    @property
    def created_named(self):
        return [(slug, self.titles.get(slug, "")) for slug in self.created]

    @property
    def updated_named(self):
        return [(slug, self.titles.get(slug, "")) for slug in self.updated]

    @property
    def ok(self):
        return not self.errors

    @property
    def row_count(self):
        return len(self.created) + len(self.updated) + len(self.unchanged)


def _snapshot(resource):
    """What the import may change of a resource, to tell what a row changes."""
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


def import_resources(data, *, dry_run, actor=None):
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
            _apply(parsed, report, actor)
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


def _apply(rows, report, actor):
    """Write each row through the services, and index what changed in one statement.

    Every row goes to its service even after another row failed: the services check
    the values (a link over an uploaded file, the model's own rules) before they write,
    and each problem is reported against its row; what was written is rolled back."""
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
        report.titles[row.slug] = row.fields.get("title_en") or getattr(resource, "title_en", "")
        links = None
        if row.links is not None:
            links = [services.Link(language, url) for language, url in row.links.items()]
        try:
            if resource is None:
                resource = services.resource_create(
                    actor=actor,
                    values={"slug": row.slug, **row.fields},
                    relations=row.relations,
                    links=links or (),
                    reindex=False,
                )
                report.created.append(row.slug)
            else:
                before = _snapshot(resource)
                changes = {
                    name: value
                    for name, value in row.fields.items()
                    if value != before["fields"][name]
                }
                relations = {
                    column: ids
                    for column, ids in row.relations.items()
                    if ids != before["relations"][column]
                }
                if row.links is None or row.links == before["links"]:
                    links = None
                if not (changes or relations or links is not None):
                    # Not even saved: `updated` keeps saying when a person last changed it.
                    report.unchanged.append(row.slug)
                    continue
                services.resource_update(
                    actor=actor,
                    resource_id=resource.pk,
                    changes=changes,
                    relations=relations,
                    links=links,
                    reindex=False,
                )
                report.updated.append(row.slug)
        except ValidationError as problem:
            for column, messages in problem.message_dict.items():
                report.errors.append(RowError(row.row, column, " ".join(messages)))
            continue
        touched.append(resource.pk)
    if touched and not report.errors:
        services.resources_update_search_vectors(touched)
