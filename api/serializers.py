"""What the API answers: the fields the public pages show, in the reader's language.

Translated fields are read through modeltranslation's fallbacks, as the pages read them:
a text missing in the language asked for comes in English. Addresses are absolute, on
SITE_URL, like the links in e-mails and feeds.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.models import Contact, Initiative, Milestone, Objective
from newsletters.markdown import body_html
from newsletters.models import Issue, NewsletterList
from resources.facets import FACETS, Flag, Year
from resources.models import Resource, ResourceVersion
from resources.templatetags.resource_tags import highlight


def absolute(path):
    return settings.SITE_URL + path


class TermSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CountrySerializer(serializers.Serializer):
    iso_code = serializers.CharField()
    name = serializers.CharField()


class PartnerSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    acronym = serializers.CharField(allow_blank=True)
    website = serializers.URLField(allow_blank=True)


class InitiativeLinkSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, initiative):
        return absolute(initiative.get_absolute_url())


class VersionSerializer(serializers.ModelSerializer):
    """A language version: the file's facts and where to download it, never its text."""

    format = serializers.SerializerMethodField(
        help_text="The file's format (pdf, docx, xlsx, pptx, png, jpg…), or link for a "
        "document published elsewhere."
    )
    size = serializers.IntegerField(source="file_size", allow_null=True, help_text="Bytes.")
    pages = serializers.IntegerField(source="page_count", allow_null=True)
    download_url = serializers.SerializerMethodField(
        help_text="Counts the download, then redirects to the file or the page holding it."
    )

    class Meta:
        model = ResourceVersion
        fields = ["language", "kind", "format", "size", "pages", "download_url"]

    def get_format(self, version) -> str:
        return version.file_format if version.file else "link"

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, version):
        return absolute(version.get_download_url())


class ResourceSerializer(serializers.ModelSerializer):
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    type_label = serializers.CharField(source="get_type_display")
    topics = TermSerializer(many=True)
    initiatives = InitiativeLinkSerializer(many=True)
    regions = TermSerializer(many=True)
    countries = CountrySerializer(many=True)
    publishers = PartnerSerializer(many=True)
    is_demo = serializers.BooleanField(
        help_text="Generated example content, shown by the library like any other resource."
    )
    snippet = serializers.SerializerMethodField(
        help_text="With q: the summary or file text around the words, as HTML with the "
        "words in <mark>; null otherwise."
    )
    url = serializers.SerializerMethodField(help_text="The resource's page, in the language.")
    short_url = serializers.SerializerMethodField(
        help_text="/r/<id>/: opens the page in the reader's language."
    )
    versions = VersionSerializer(many=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "type",
            "type_label",
            "topics",
            "initiatives",
            "regions",
            "countries",
            "publishers",
            "publication_date",
            "publication_precision",
            "is_key",
            "is_demo",
            "snippet",
            "url",
            "short_url",
            "versions",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_snippet(self, resource):
        snippet = getattr(resource, "snippet", None)
        return str(highlight(snippet)) if snippet else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, resource):
        return absolute(resource.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_short_url(self, resource):
        return absolute(reverse("resource_short_link", args=[resource.pk]))


class FacetChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    checked = serializers.BooleanField()


class YearCountSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    count = serializers.IntegerField()


def _facet_field(facet):
    if isinstance(facet, Year):
        return YearCountSerializer(many=True, help_text="Years with resources, newest first.")
    if isinstance(facet, Flag):
        return serializers.IntegerField(help_text=f"How many are {facet.name} resources.")
    return FacetChoiceSerializer(many=True)


# One field per facet the library declares (resources/facets.py), as its panels show them.
FacetsSerializer = type(
    "FacetsSerializer",
    (serializers.Serializer,),
    {"__module__": __name__, **{facet.name: _facet_field(facet) for facet in FACETS}},
)


def facets_data(facets):
    """The filterset's facets as JSON: labels in the language, not lazy strings."""
    data = {}
    for name, value in facets.items():
        if isinstance(value, list):
            value = [
                {**choice, "value": str(choice["value"]), "label": str(choice["label"])}
                if "label" in choice
                else choice
                for choice in value
            ]
        data[name] = value
    return data


class ResourcePageSerializer(serializers.Serializer):
    """The list's envelope (for the schema; the view writes it)."""

    count = serializers.IntegerField(help_text="Results in all, across every page.")
    next = serializers.URLField(allow_null=True)
    results = ResourceSerializer(many=True)
    facets = FacetsSerializer(required=False, help_text="With facets=1.")


class ObjectiveSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Objective
        fields = ["text", "steps"]

    def get_steps(self, objective) -> list[str]:
        return [step.text for step in getattr(objective, "steps", [])]


class MilestoneSerializer(serializers.ModelSerializer):
    date = serializers.CharField(
        source="iso_date", help_text="As precise as known: 2018, 2017-05 or 2020-02-14."
    )

    class Meta:
        model = Milestone
        fields = ["date", "precision", "is_approximate", "title", "place", "description"]


class ContactSerializer(serializers.ModelSerializer):
    """What the page shows of a contact: never the e-mail address."""

    class Meta:
        model = Contact
        fields = ["name", "role", "organisation"]


class InitiativeSerializer(serializers.ModelSerializer):
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField(help_text="HTML, sanitised when saved.")
    themes = TermSerializer(many=True)
    regions = TermSerializer(many=True)
    countries = CountrySerializer(many=True)
    partners = PartnerSerializer(many=True)
    objectives = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True)
    contacts = ContactSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "status",
            "start_date",
            "end_date",
            "is_featured",
            "themes",
            "regions",
            "countries",
            "partners",
            "objectives",
            "milestones",
            "contacts",
            "url",
        ]

    @extend_schema_field(ObjectiveSerializer(many=True))
    def get_objectives(self, initiative):
        """The aims, each with its own objectives as steps, as the page lists them."""
        objectives = list(initiative.objectives.all())
        aims = [objective for objective in objectives if objective.parent_id is None]
        for aim in aims:
            aim.steps = [o for o in objectives if o.parent_id == aim.pk]
        return ObjectiveSerializer(aims, many=True).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, initiative):
        return absolute(initiative.get_absolute_url())


class NewsletterListSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    accepts_subscribers = serializers.BooleanField(source="is_active")
    archive_url = serializers.SerializerMethodField()

    class Meta:
        model = NewsletterList
        fields = ["slug", "name", "description", "language", "accepts_subscribers", "archive_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_archive_url(self, newsletter):
        return absolute(newsletter.get_absolute_url())


class IssueSerializer(serializers.ModelSerializer):
    list = serializers.SlugField(source="newsletter.slug")
    language = serializers.CharField(
        source="newsletter.language", help_text="The list's language, which its issues use."
    )
    sent = serializers.DateTimeField(source="started_at", help_text="When sending began.")
    body_html = serializers.SerializerMethodField(help_text="The body as the archive shows it.")
    archive_url = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = ["id", "subject", "preheader", "list", "language", "sent", "body_html"]
        fields += ["archive_url"]

    def get_body_html(self, issue) -> str:
        return body_html(issue.body)

    @extend_schema_field(OpenApiTypes.URI)
    def get_archive_url(self, issue):
        return absolute(issue.get_absolute_url())
