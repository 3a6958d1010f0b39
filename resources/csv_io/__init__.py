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
apostrophe, so a spreadsheet shows it rather than running it (common/spreadsheet.py), and
the import takes the apostrophe off again.

- columns: the columns, separators and limits above.
- reading: read the file and check each row (nothing is written).
- importing: import_resources, which writes the checked rows in one transaction, each
  through services.resource_create or resource_update (a row the service refuses is that
  row's error).
- exporting: export_resources.
"""

from .columns import COLUMNS, MAX_BYTES, MAX_ROWS, REQUIRED, SEPARATOR
from .exporting import export_resources, export_template
from .importing import ImportReport, import_resources
from .reading import CSVFileError, ParsedRow, RowError, read_rows

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REQUIRED",
    "SEPARATOR",
    "CSVFileError",
    "ImportReport",
    "ParsedRow",
    "RowError",
    "export_resources",
    "export_template",
    "import_resources",
    "read_rows",
]
