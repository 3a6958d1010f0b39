from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_filters.views import FilterView

from common.languages import current_language
from initiatives.models import Initiative, Partner

from . import citations, services
from .facets import FACETS
from .filters import ResourceFilter
from .models import Resource, ResourceVersion, Topic

VERSION_COLUMNS = (
    "resource_id",
    "language",
    "file",
    "external_url",
    "file_format",
    "page_count",
    "file_size",
    "kind",
    "text_bytes",
    "link_status",
    "link_checked_at",
)
# A line of a PDF's text ending with one of these ends its paragraph.
PARAGRAPH_ENDS = (".", "!", "?", ":", "؟", "…", "。")


def versions_prefetch():
    """Versions without their (long) text: lists and pages never show it."""
    return Prefetch("versions", queryset=ResourceVersion.objects.only(*VERSION_COLUMNS))


class ResourceListView(FilterView):
    filterset_class = ResourceFilter
    template_name = "resources/list.html"
    context_object_name = "resources"
    paginate_by = 20
    strict = False

    def get_queryset(self):
        # A result's topics come from the facet index (facets.Terms.filed).
        return Resource.objects.published().prefetch_related(versions_prefetch())

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET  # always bound, so the default sort applies
        kwargs["language"] = current_language()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        context["facets"] = filterset.facets()
        form = filterset.form
        context["facet_panels"] = [
            (
                facet,
                context["facets"][facet.name],
                form[facet.name] if facet.name in form.fields else None,
            )
            for facet in FACETS
        ]
        context["filtering"] = filterset.is_filtering
        context["searching"] = filterset.search_words
        context["sort"] = filterset.sort_order
        context["feeds"] = list_feeds(filterset)
        return context


def list_feeds(filterset):
    """[(title, url)]: every new resource, and each single chosen topic or initiative."""
    feeds = [(_("New resources"), reverse("resources:feed"))]
    for topic in (filterset.values.get("topic") or [])[:1]:
        feeds.append(
            (
                _("New resources on %(topic)s") % {"topic": topic.name},
                reverse("resources:topic_feed", kwargs={"slug": topic.slug}),
            )
        )
    for initiative in (filterset.values.get("initiative") or [])[:1]:
        feeds.append(
            (
                _("New resources of %(initiative)s") % {"initiative": initiative.title},
                reverse("resources:initiative_feed", kwargs={"slug": initiative.slug}),
            )
        )
    return feeds


resource_list = ResourceListView.as_view()


def resource_detail(request, slug):
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user).prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("order", "name")),
            Prefetch("publishers", queryset=Partner.objects.order_by("name")),
            Prefetch("initiatives", queryset=Initiative.objects.published().ordered()),
            "regions",
            "countries",
            versions_prefetch(),
        ),
        slug=slug,
    )
    topic_ids = [topic.pk for topic in resource.topics.all()]
    related = []
    if topic_ids:
        sharing = Resource.topics.through.objects.filter(topic_id__in=topic_ids)
        related = list(
            Resource.objects.published()
            .filter(pk__in=sharing.values("resource_id"))
            .exclude(pk=resource.pk)
            .ordered("newest")[:4]
        )
    context = {
        "resource": resource,
        "versions": list(resource.versions.all()),
        "related_resources": related,
        "page_url": settings.SITE_URL + resource.get_absolute_url(),
        "short_url": settings.SITE_URL + reverse("resource_short_link", args=[resource.pk]),
        "feeds": [(_("New resources"), reverse("resources:feed"))],
    }
    response = render(request, "resources/detail.html", context)
    if resource.status != Resource.Status.PUBLISHED:
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
    return response


def resource_short_link(request, pk):
    """/r/<id>/: a link short enough for a text message, opening the resource in the
    reader's language (their language cookie, else their browser's Accept-Language)."""
    resource = get_object_or_404(Resource.objects.visible_to(request.user).only("slug"), pk=pk)
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = redirect(resource.get_absolute_url())
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def resource_citation(request, slug, fmt):
    """The citation as a file for a reference manager (RIS, BibTeX, CSL-JSON)."""
    if fmt not in citations.FORMATS:
        raise Http404
    resource = get_object_or_404(
        Resource.objects.published().prefetch_related(
            Prefetch("publishers", queryset=Partner.objects.order_by("name")),
            versions_prefetch(),
        ),
        slug=slug,
    )
    data = citations.facts(resource, settings.SITE_URL + resource.get_absolute_url())
    content_type, extension = citations.FORMATS[fmt]
    response = HttpResponse(citations.WRITERS[fmt](data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{resource.slug}.{extension}"'
    response["X-Robots-Tag"] = "noindex"
    return response


def text_paragraphs(text):
    """The text read from a PDF, one line per line of the page, as paragraphs: lines are
    joined until one ends a sentence or a blank line comes, a word hyphenated at the end
    of a line is joined again."""
    paragraphs, lines = [], []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            if lines:
                paragraphs.append(" ".join(lines))
                lines = []
            continue
        if lines and lines[-1].endswith("-") and line[:1].islower():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
        if line.endswith(PARAGRAPH_ENDS):
            paragraphs.append(" ".join(lines))
            lines = []
    if lines:
        paragraphs.append(" ".join(lines))
    return paragraphs


def resource_text(request, slug, language):
    """The text of a version's file as a page of a few kilobytes, for a phone on a slow
    link: no pictures, no stylesheet to fetch, in the version's language and direction."""
    resource = get_object_or_404(Resource.objects.visible_to(request.user), slug=slug)
    version = (
        resource.versions.filter(language=language, text_bytes__gt=0)
        .only(*VERSION_COLUMNS, "extracted_text")
        .first()
    )
    paragraphs = text_paragraphs(version.extracted_text) if version else []
    if not paragraphs:
        raise Http404
    title = getattr(resource, f"title_{language}", "") or resource.title_en
    ui_language = current_language()
    context = {
        "resource": resource,
        "version": version,
        "title": title,
        "title_lang": language if title != resource.title_en or language == "en" else "en",
        "dir": "rtl" if translation.get_language_info(language)["bidi"] else "ltr",
        "ui_language": ui_language,
        "ui_dir": "rtl" if translation.get_language_bidi() else "ltr",
        "paragraphs": paragraphs,
    }
    response = render(request, "resources/text.html", context)
    if resource.status != Resource.Status.PUBLISHED:
        patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
def resource_download(request, slug, language):
    """Count the download, then send the person to the file or the page that holds it."""
    resource = get_object_or_404(Resource.objects.visible_to(request.user), slug=slug)
    version = resource.versions.filter(language=language).only(*VERSION_COLUMNS).first()
    if version is None:
        raise Http404
    services.resource_register_download(resource_id=resource.pk)
    response = redirect(version.target_url)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
