"""The CSV file's columns and limits, shared by import, export and the admin's help page
(the package docstring describes each column)."""

import re

from initiatives.models import Country, Initiative, Partner, Region

from ..models import Language, Resource, Topic

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
