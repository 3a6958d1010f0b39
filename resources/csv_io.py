"""Resources to and from CSV, for curators who prepare a batch in a spreadsheet.

The columns (the header row names them; only slug, title_en and type are required):

    slug                   the resource's address; a slug that exists updates that resource
    title_en … title_ar    the title in each language (English required)
    summary_en … summary_ar
    type                   toolkit, guidance, tool, report, case-study, infographic,
                           one-pager, training-material, policy, assessment, video, other
    topics                 topic slugs, separated by |
    initiatives            initiative slugs, separated by |
    regions                region slugs, separated by |
    countries              ISO 3166-1 alpha-2 codes, separated by |  (KE|ET)
    publishers             partner slugs, separated by |
    publication_date       2019, 2019-05 or 2019-05-14 (the precision follows)
    is_key                 yes or no (also true/false, 1/0); empty is no
    status                 published or draft; empty is draft for a new resource
    links                  language=URL pairs, separated by |  (en=https://…|fr=https://…);
                           the resource's link versions become exactly these

Matching is on slug: importing the same file twice creates nothing the second time and
changes nothing. A column left out of the file leaves that field of existing resources
as it is; a column present but empty clears it. Uploaded files cannot come from a CSV;
`links` never touches a version that has an uploaded file.

Export writes the same columns; a text starting with = + - or @ is written with a leading
' (so a spreadsheet does not run it as a formula), which import takes off again.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from cpaor import spreadsheet
from initiatives.models import Country, Initiative, Partner, Region

from .models import Language, Resource, ResourceVersion, Topic

LANGUAGES = [code for code, _label in Language.choices]
TRANSLATED = [f"{name}_{code}" for name in ("title", "summary") for code in LANGUAGES]
COLUMNS = [
    "slug",
    *[f"title_{code}" for code in LANGUAGES],
    *[f"summary_{code}" for code in LANGUAGES],
    "type",
    "topics",
    "initiatives",
    "regions",
    "countries",
    "publishers",
    "publication_date",
    "is_key",
    "status",
    "links",
]
REQUIRED = ["slug", "title_en", "type"]
SEPARATOR = "|"
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
TRUE = {"yes", "true", "1", "y", "x"}
FALSE = {"no", "false", "0", "n", ""}
DATE_FORMATS = {
    Resource.Precision.YEAR: (re.compile(r"^\d{4}$"), "%Y"),
    Resource.Precision.MONTH: (re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
    Resource.Precision.DAY: (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
}
# Multi-valued columns: (model, field looked up, field's name in messages).
RELATIONS = {
    "topics": (Topic, "slug"),
    "initiatives": (Initiative, "slug"),
    "regions": (Region, "slug"),
    "countries": (Country, "iso_code"),
    "publishers": (Partner, "slug"),
}


@dataclass
class RowError:
    row: int  # the line of the spreadsheet: the header is row 1
    column: str
    message: str

    def __str__(self):
        return _("Row %(row)s, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }


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


@dataclass
class ParsedRow:
    row: int
    slug: str
    fields: dict  # model field -> value, only for the columns in the file
    relations: dict  # relation -> set of ids, only for the columns in the file
    links: dict | None  # language -> URL, None when the file has no links column


class CSVFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


def read_rows(data):
    """(header, [(row number, {column: value})]) from the bytes of a CSV file."""
    if len(data) > MAX_BYTES:
        raise CSVFileError(
            _("The file is larger than %(size)d MB; split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVFileError(
            _("The file is not UTF-8 text; save it from the spreadsheet as “CSV UTF-8”.")
        ) from error
    if "\x00" in text:
        raise CSVFileError(_("The file is not a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, None)
        if not header:
            raise CSVFileError(_("The file is empty."))
        header = [name.strip() for name in header]
        rows = []
        # Numbered as the spreadsheet shows them: a cell on several lines is one row.
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise CSVFileError(
                    _("The file has more than %(count)d rows; split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
            rows.append((number, values))
    except csv.Error as error:
        raise CSVFileError(_("The file is not valid CSV: %(error)s") % {"error": error}) from error
    return header, rows


def _lookups(header):
    """{relation: {key: id}} for the relations the file uses; one query each."""
    tables = {}
    for column, (model, key) in RELATIONS.items():
        if column in header:
            tables[column] = dict(model.objects.values_list(key, "pk"))
    return tables


def _split(value):
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


def _parse_date(value):
    value = value.strip()
    if not value:
        return None, Resource.Precision.YEAR
    for precision, (pattern, date_format) in DATE_FORMATS.items():
        if pattern.match(value):
            try:
                return datetime.datetime.strptime(value, date_format).date(), precision  # noqa: DTZ007
            except ValueError:
                break
    raise ValidationError(
        _("“%(value)s” is not a date; write 2019, 2019-05 or 2019-05-14.") % {"value": value}
    )


def _parse_row(number, record, tables, errors):
    """A ParsedRow, or None with the row's problems added to errors."""
    before = len(errors)

    def error(column, message):
        errors.append(RowError(number, column, str(message)))

    fields = {}
    slug = record.get("slug", "").strip()
    if not slug:
        error("slug", _("A slug is required."))
    else:
        try:
            validate_slug(slug)
        except ValidationError:
            error("slug", _("Use only letters, numbers, hyphens and underscores."))
        if len(slug) > Resource._meta.get_field("slug").max_length:
            error("slug", _("At most 120 characters."))

    for column in TRANSLATED:
        if column not in record:
            continue
        value = spreadsheet.unescape_cell(record[column].strip())
        model_field = Resource._meta.get_field(column)
        limit = model_field.max_length
        if limit and len(value) > limit:
            error(column, _("At most %(count)d characters.") % {"count": limit})
        elif value:
            # The field's own checks (a title is one line of visible text), reported
            # against this row and column rather than failing the file.
            try:
                model_field.run_validators(value)
            except ValidationError as problem:
                error(column, " ".join(problem.messages))
        fields[column] = value or None
    if not fields.get("title_en"):
        error("title_en", _("An English title is required."))

    kind = record.get("type", "").strip().lower()
    if not kind:
        error("type", _("A type is required."))
    elif kind not in Resource.Type.values:
        error(
            "type",
            _("“%(value)s” is not a type; use one of: %(choices)s.")
            % {"value": kind, "choices": ", ".join(Resource.Type.values)},
        )
    fields["type"] = kind

    if "publication_date" in record:
        try:
            fields["publication_date"], fields["publication_precision"] = _parse_date(
                record["publication_date"]
            )
        except ValidationError as problem:
            error("publication_date", problem.messages[0])

    if "is_key" in record:
        value = record["is_key"].strip().lower()
        if value in TRUE:
            fields["is_key"] = True
        elif value in FALSE:
            fields["is_key"] = False
        else:
            error("is_key", _("Write yes or no."))

    if "status" in record:
        value = record["status"].strip().lower()
        if value and value not in Resource.Status.values:
            error("status", _("Write published or draft."))
        elif value:
            fields["status"] = value

    relations = {}
    for column, table in tables.items():
        keys = _split(record.get(column, ""))
        if column == "countries":
            keys = [key.upper() for key in keys]
        unknown = [key for key in keys if key not in table]
        if unknown:
            error(
                column,
                _("Unknown %(column)s: %(values)s.")
                % {"column": column, "values": ", ".join(unknown)},
            )
        relations[column] = {table[key] for key in keys if key in table}

    links = None
    if "links" in record:
        links = {}
        validate_url = URLValidator(schemes=["http", "https"])
        for pair in _split(record["links"]):
            language, _sep, url = pair.partition("=")
            language, url = language.strip().lower(), url.strip()
            if language not in LANGUAGES:
                error(
                    "links",
                    _("“%(pair)s”: start with a language code (en, fr, es or ar) and =.")
                    % {"pair": pair},
                )
                continue
            if language in links:
                error("links", _("Two links in %(language)s.") % {"language": language})
                continue
            try:
                validate_url(url)
                if len(url) > ResourceVersion._meta.get_field("external_url").max_length:
                    raise ValidationError("too long")
            except ValidationError:
                error("links", _("“%(url)s” is not a web address.") % {"url": url})
                continue
            links[language] = url

    if len(errors) > before:
        return None
    return ParsedRow(number, slug, fields, relations, links)


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
    from .services import resources_update_search_vectors

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


def export_resources(queryset, stream):
    """Write the resources as CSV, in the columns import_resources reads."""
    writer = spreadsheet.writer(stream)
    writer.writerow(COLUMNS)
    queryset = queryset.prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("pk", "slug")),
        Prefetch("initiatives", queryset=Initiative.objects.only("pk", "slug")),
        Prefetch("regions", queryset=Region.objects.only("pk", "slug")),
        Prefetch("countries", queryset=Country.objects.only("pk", "iso_code")),
        Prefetch("publishers", queryset=Partner.objects.only("pk", "slug")),
        Prefetch(
            "versions",
            queryset=ResourceVersion.objects.filter(file="").only(
                "resource_id", "language", "external_url"
            ),
            to_attr="link_versions",
        ),
    )
    for resource in queryset.order_by("pk"):
        writer.writerow(_export_row(resource))


def _export_row(resource):
    date = ""
    if resource.publication_date:
        date_format = DATE_FORMATS[resource.publication_precision][1]
        date = resource.publication_date.strftime(date_format)

    def keys(column, key):
        return SEPARATOR.join(sorted(getattr(obj, key) for obj in getattr(resource, column).all()))

    values = {
        **{name: getattr(resource, name) or "" for name in TRANSLATED},
        "slug": resource.slug,
        "type": resource.type,
        **{column: keys(column, key) for column, (_model, key) in RELATIONS.items()},
        "publication_date": date,
        "is_key": "yes" if resource.is_key else "no",
        "status": resource.status,
        "links": SEPARATOR.join(
            f"{version.language}={version.external_url}"
            for version in sorted(resource.link_versions, key=lambda v: v.language)
        ),
    }
    return [values[column] for column in COLUMNS]
