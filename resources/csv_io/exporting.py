"""Exporting resources as CSV, in the columns the import reads."""

from django.db.models import Prefetch

from common import spreadsheet
from initiatives.models import Country, Initiative, Partner, Region

from ..models import ResourceVersion, Topic
from .columns import COLUMNS, DATE_FORMATS, RELATIONS, SEPARATOR, TRANSLATED


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


def export_template(stream):
    """The header row and one example row, for a curator starting a file: the example's
    topic, initiative and region are real slugs where there are any, so it imports."""
    writer = spreadsheet.writer(stream)
    writer.writerow(COLUMNS)

    def first(model, key):
        return model.objects.order_by("pk").values_list(key, flat=True).first() or ""

    example = {
        "slug": "kinship-care-guide",
        "title_en": "Kinship care guide",
        "title_fr": "Guide de la prise en charge par la famille",
        "summary_en": "How coordinators support children cared for by relatives.",
        "type": "guidance",
        "topics": first(Topic, "slug"),
        "initiatives": first(Initiative, "slug"),
        "regions": first(Region, "slug"),
        "publication_date": "2024-05",
        "is_key": "no",
        "status": "draft",
        "links": f"en=https://example.org/kinship-care-guide.pdf{SEPARATOR}"
        "fr=https://example.org/guide-prise-en-charge.pdf",
    }
    writer.writerow([example.get(column, "") for column in COLUMNS])
