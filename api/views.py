"""The API's views: thin, over the same reads as the public pages.

The library's list reuses resources.filters.ResourceFilter, the list page's own filters
(words, every facet, the order, the counts), so the API finds, orders and counts exactly
what the page does. Everything is in the language `lang` names, else the one
Accept-Language asks for (LocaleMiddleware), with English where a text is untranslated.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from initiatives.models import Initiative, Partner, Region
from newsletters.models import Issue, NewsletterList
from resources.facets import FACETS, Flag, Terms, Year
from resources.filters import ResourceFilter
from resources.models import Resource, ResourceVersion, Topic

from . import serializers
from .pagination import (
    InitiativeCursorPagination,
    IssueCursorPagination,
    library_page,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]
LANG = OpenApiParameter(
    "lang",
    str,
    enum=LANGUAGES,
    description="The language of the texts (else Accept-Language's; English where a text "
    "is untranslated).",
)
PAGE = [
    OpenApiParameter("cursor", str, description="The `next` address's cursor."),
    OpenApiParameter("page_size", int, description="Results per page: 20, at most 100."),
]
# What every address takes; lists add the cursor, the page size and their filters.
COMMON_PARAMETERS = frozenset({"lang", "format"})
PAGE_PARAMETERS = frozenset({"cursor", "page_size"})


class ReadOnlyView(generics.GenericAPIView):
    """GET (and HEAD, OPTIONS) only, in the language asked for; a parameter the address
    does not take (a misspelt filter, say) is refused rather than ignored."""

    http_method_names = ["get", "head", "options"]
    query_parameters = COMMON_PARAMETERS

    def dispatch(self, request, *args, **kwargs):
        lang = request.GET.get("lang")
        language = lang if lang in LANGUAGES else translation.get_language()
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        lang = request.query_params.get("lang")
        if lang and lang not in LANGUAGES:
            raise ValidationError({"lang": [f"One of {', '.join(LANGUAGES)}."]})
        taken = sorted(self.query_parameters)
        unknown = sorted(set(request.query_params) - self.query_parameters)
        if unknown:
            message = f"Unknown parameter; this address takes {', '.join(taken)}."
            raise ValidationError({name: [message] for name in unknown})


# What the API shows of a version: never its text, nor the link checker's findings.
VERSION_COLUMNS = (
    "resource_id",
    "language",
    "kind",
    "file",
    "external_url",
    "file_format",
    "page_count",
    "file_size",
)


def resource_queryset():
    """Published resources with what the API shows of them, each in a few queries."""
    return Resource.objects.published().prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("order", "name")),
        Prefetch("initiatives", queryset=Initiative.objects.published().ordered()),
        Prefetch("regions", queryset=Region.objects.by_name()),
        "countries",
        Prefetch("publishers", queryset=Partner.objects.order_by("name")),
        Prefetch("versions", queryset=ResourceVersion.objects.only(*VERSION_COLUMNS)),
    )


def _facet_parameters():
    parameters = [
        OpenApiParameter("q", str, description="Words to find (web search syntax)."),
        OpenApiParameter(
            "sort",
            str,
            enum=["relevance", "newest", "title"],
            description="relevance with q (the default then), else newest (the default).",
        ),
        OpenApiParameter("year", int, description="Published that year (year_from=year_to)."),
        OpenApiParameter("facets", bool, description="Add each facet's choices with their counts."),
    ]
    for facet in FACETS:
        if isinstance(facet, Year):
            for bound in ("from", "to"):
                parameters.append(OpenApiParameter(f"{facet.name}_{bound}", int))
        elif isinstance(facet, Flag):
            parameters.append(OpenApiParameter(facet.name, bool, description=str(facet.label)))
        else:
            parameters.append(
                OpenApiParameter(
                    facet.name,
                    str,
                    many=True,
                    explode=True,
                    enum=getattr(facet, "values", None),
                    description=f"{facet.label}: "
                    + ("any of these slugs" if isinstance(facet, Terms) else "any of the values")
                    + " (repeat the parameter for several).",
                )
            )
    return parameters


def _filter_names():
    return set(ResourceFilter.base_filters) | {"year", "facets"}


def _filter_data(request):
    """The query with year=2020 read as year_from=2020&year_to=2020."""
    data = request.query_params.copy()
    year = data.pop("year", None)
    if year and not all(value.isdigit() for value in year):
        raise ValidationError({"year": ["A year, e.g. 2020."]})
    if year:
        data.setlist("year_from", year)
        data.setlist("year_to", year)
    return data


class ResourceList(ReadOnlyView):
    """Published resources: the library's words, facets, order and counts."""

    serializer_class = serializers.ResourceSerializer
    query_parameters = COMMON_PARAMETERS | PAGE_PARAMETERS | _filter_names()

    @extend_schema(
        operation_id="resources_list",
        parameters=[LANG, *_facet_parameters(), *PAGE],
        responses=serializers.ResourcePageSerializer,
    )
    def get(self, request):
        language = translation.get_language()
        filterset = ResourceFilter(
            data=_filter_data(request), queryset=resource_queryset(), language=language
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        ids, next_cursor, count = library_page(filterset, request)
        resources = resource_queryset().filter(pk__in=ids).order_by() if ids else []
        if ids and filterset.search_words:
            resources = resources.with_snippets(filterset.search_words, language)
        by_id = {resource.pk: resource for resource in resources}
        page = [by_id[pk] for pk in ids if pk in by_id]
        cursor = next_cursor(page)
        data = {
            "count": count,
            "next": cursor and replace_query_param(request.build_absolute_uri(), "cursor", cursor),
            "results": self.get_serializer(page, many=True).data,
        }
        if request.query_params.get("facets") in ("1", "true", "yes"):
            data["facets"] = serializers.facets_data(filterset.facets())
        return Response(data)


@extend_schema_view(get=extend_schema(parameters=[LANG]))
class ResourceDetail(ReadOnlyView, generics.RetrieveAPIView):
    serializer_class = serializers.ResourceSerializer
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return resource_queryset()


def initiative_queryset():
    return (
        Initiative.objects.published().with_page_details().order_by("-is_featured", "order", "pk")
    )


@extend_schema_view(get=extend_schema(parameters=[LANG, *PAGE]))
class InitiativeList(ReadOnlyView, generics.ListAPIView):
    """Published initiatives, featured first, in the editors' order."""

    serializer_class = serializers.InitiativeSerializer
    pagination_class = InitiativeCursorPagination
    query_parameters = COMMON_PARAMETERS | PAGE_PARAMETERS

    def get_queryset(self):
        return initiative_queryset()


@extend_schema_view(get=extend_schema(parameters=[LANG]))
class InitiativeDetail(ReadOnlyView, generics.RetrieveAPIView):
    serializer_class = serializers.InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return initiative_queryset()


@extend_schema_view(get=extend_schema(parameters=[LANG]))
class NewsletterListList(ReadOnlyView, generics.ListAPIView):
    """Every newsletter list with its public archive (a handful: not paginated)."""

    serializer_class = serializers.NewsletterListSerializer

    def get_queryset(self):
        return NewsletterList.objects.order_by("order", "pk")


ISSUE_FILTERS = [
    OpenApiParameter("list", str, description="A list's slug."),
    OpenApiParameter("language", str, enum=LANGUAGES, description="The list's language."),
]


@extend_schema_view(get=extend_schema(parameters=[LANG, *ISSUE_FILTERS, *PAGE]))
class IssueList(ReadOnlyView, generics.ListAPIView):
    """The archive: sent issues of every list, newest first."""

    serializer_class = serializers.IssueSerializer
    pagination_class = IssueCursorPagination
    query_parameters = COMMON_PARAMETERS | PAGE_PARAMETERS | {"list", "language"}

    def get_queryset(self):
        issues = Issue.objects.archived().select_related("newsletter")
        newsletter, language = (self.request.query_params.get(k) for k in ("list", "language"))
        if newsletter:
            if not NewsletterList.objects.filter(slug=newsletter).exists():
                raise ValidationError({"list": ["No newsletter list has this slug."]})
            issues = issues.filter(newsletter__slug=newsletter)
        if language:
            if language not in LANGUAGES:
                raise ValidationError({"language": [f"One of {', '.join(LANGUAGES)}."]})
            issues = issues.filter(newsletter__language=language)
        return issues


@extend_schema_view(get=extend_schema(parameters=[LANG]))
class IssueDetail(ReadOnlyView, generics.RetrieveAPIView):
    serializer_class = serializers.IssueSerializer
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return Issue.objects.archived().select_related("newsletter")
