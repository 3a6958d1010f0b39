"""A resource's citation in the formats reference managers import: RIS (rispy), BibTeX
(bibtexparser) and CSL-JSON (the citation style language's own data, which Zotero and
citeproc read). All three hold the same facts as the page's plain citation: the
publishers as corporate authors (the CP AoR when none is named), the title in the
reader's language, the date as precise as the curator gave it, the page's address."""

import json
import re

import rispy
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter
from django.utils.translation import gettext

from .models import Resource

Type = Resource.Type
Precision = Resource.Precision
FORMATS = {
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bib": ("application/x-bibtex; charset=utf-8", "bib"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
REPORTS = {Type.REPORT, Type.CASE_STUDY, Type.ASSESSMENT}


def facts(resource, url):
    """What every format says, read once: the resource needs its publishers and versions
    prefetched (the detail page has them)."""
    publishers = [str(partner.name) for partner in resource.publishers.all()] or [
        gettext("Global Child Protection Area of Responsibility")
    ]
    date = resource.publication_date
    parts = []
    if date is not None:
        parts = [date.year]
        if resource.publication_precision in (Precision.MONTH, Precision.DAY):
            parts.append(date.month)
        if resource.publication_precision == Precision.DAY:
            parts.append(date.day)
    return {
        "title": str(resource.title),
        "authors": publishers,
        "date": parts,
        "url": url,
        "abstract": str(resource.summary or ""),
        "languages": sorted({version.language for version in resource.versions.all()}),
        "type": resource.type,
        "key": resource.slug,
    }


def as_ris(data):
    entry = {
        "type_of_reference": "RPRT"
        if data["type"] in REPORTS
        else ("VIDEO" if data["type"] == Type.VIDEO else "GEN"),
        "title": data["title"],
        "authors": data["authors"],
        "urls": [data["url"]],
        "id": data["key"],
    }
    if data["date"]:
        entry["year"] = str(data["date"][0])
        # RIS dates are YYYY/MM/DD/ with the parts not known left empty.
        month, day = (list(data["date"][1:]) + [None, None])[:2]
        entry["date"] = (
            "/".join(
                [str(data["date"][0]), f"{month:02d}" if month else "", f"{day:02d}" if day else ""]
            )
            + "/"
        )
    if data["abstract"]:
        entry["abstract"] = data["abstract"]
    if data["languages"]:
        entry["language"] = ", ".join(data["languages"])
    return rispy.dumps([entry])


# Characters TeX reads as commands, written so that TeX prints them.
TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX = re.compile("|".join(re.escape(char) for char in TEX))


def tex(text):
    return _TEX.sub(lambda match: TEX[match.group(0)], " ".join(str(text).split()))


def as_bibtex(data):
    entry = {
        "ENTRYTYPE": "techreport" if data["type"] in REPORTS else "misc",
        "ID": re.sub(r"[^A-Za-z0-9:_-]", "", data["key"]) or "resource",
        # Double braces: an organisation is one name, never "Last, First".
        "author": " and ".join("{" + tex(name) + "}" for name in data["authors"]),
        # Braces keep the title's capitals as written.
        "title": "{" + tex(data["title"]) + "}",
        "url": data["url"],
        "howpublished": r"\url{" + data["url"] + "}",
    }
    if entry["ENTRYTYPE"] == "techreport":
        entry["institution"] = entry["author"]
        del entry["howpublished"]
    if data["date"]:
        entry["year"] = str(data["date"][0])
        if len(data["date"]) > 1:
            entry["month"] = str(data["date"][1])
    if data["abstract"]:
        entry["abstract"] = tex(data["abstract"])
    if data["languages"]:
        entry["language"] = ", ".join(data["languages"])
    database = BibDatabase()
    database.entries = [entry]
    writer = BibTexWriter()
    writer.indent = "  "
    return writer.write(database)


def as_csl_json(data):
    item = {
        "id": data["key"],
        "type": "report"
        if data["type"] in REPORTS
        else ("motion_picture" if data["type"] == Type.VIDEO else "document"),
        "title": data["title"],
        "author": [{"literal": name} for name in data["authors"]],
        "publisher": "; ".join(data["authors"]),
        "URL": data["url"],
    }
    if data["date"]:
        item["issued"] = {"date-parts": [data["date"]]}
    if data["abstract"]:
        item["abstract"] = data["abstract"]
    if data["languages"]:
        item["language"] = data["languages"][0]
    return json.dumps([item], ensure_ascii=False, indent=1)


WRITERS = {"ris": as_ris, "bib": as_bibtex, "json": as_csl_json}
