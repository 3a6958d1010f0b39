"""Reading a CSV file and checking each row: from bytes to ParsedRow values, with every
problem reported against its row and column. Reads the database only to look up the
slugs and codes a row refers to; writes nothing."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils.translation import gettext as _

from common import spreadsheet

from ..models import Resource, ResourceVersion
from .columns import (
    DATE_FORMATS,
    FALSE,
    LANGUAGES,
    MAX_BYTES,
    MAX_ROWS,
    RELATIONS,
    SEPARATOR,
    TRANSLATED,
    TRUE,
)


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
