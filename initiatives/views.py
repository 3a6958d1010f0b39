from django.db.models import Count, F, Prefetch, Window
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods
from django_filters.views import FilterView

from common.pagecache import same_origin_post
from common.ratelimit import ratelimit

from .filters import InitiativeFilter
from .models import Initiative, Region, Theme

FILTER_NAMES = ("theme", "region", "status")


class InitiativeListView(FilterView):
    filterset_class = InitiativeFilter
    template_name = "initiatives/list.html"
    context_object_name = "initiatives"
    paginate_by = 30

    def get_queryset(self):
        return (
            Initiative.objects.published()
            .ordered()
            .prefetch_related(
                Prefetch("themes", queryset=Theme.objects.by_name()),
                Prefetch("regions", queryset=Region.objects.by_name()),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filtering"] = any(self.request.GET.get(name) for name in FILTER_NAMES)
        context["shows_english"] = any(
            initiative.untranslated("title", "summary") for initiative in context["initiatives"]
        )
        return context


OWN_RESOURCES_SHOWN = 6


def related_resources(initiative):
    """(The first published resources of the initiative, how many it has): real ones
    before demo ones (a key demo item must not hide a real report), key ones first
    within each, then the newest; one query, the count a window over the same rows."""
    from resources.models import Resource

    resources = list(
        Resource.objects.published()
        .filter(initiatives=initiative)
        .annotate(total=Window(Count("pk")))
        .order_by(
            "is_demo",
            "-is_key",
            F("publication_date").desc(nulls_last=True),
            "-pk",
        )[:OWN_RESOURCES_SHOWN]
    )
    return resources, resources[0].total if resources else 0


def objective_tree(objectives):
    """The initiative's aims, each with its own objectives in `steps`."""
    aims = [objective for objective in objectives if objective.parent_id is None]
    for aim in aims:
        aim.steps = [objective for objective in objectives if objective.parent_id == aim.pk]
    return aims


def initiative_detail(request, slug):
    initiative = get_object_or_404(
        Initiative.objects.visible_to(request.user).with_page_details(),
        slug=slug,
    )
    theme_ids = [theme.pk for theme in initiative.themes.all()]
    related = []
    if theme_ids:
        sharing_a_theme = Initiative.themes.through.objects.filter(theme_id__in=theme_ids)
        related = list(
            Initiative.objects.published()
            .filter(pk__in=sharing_a_theme.values("initiative_id"))
            .exclude(pk=initiative.pk)
            .ordered()[:4]
        )
    own_resources, resource_count = related_resources(initiative)
    context = {
        "initiative": initiative,
        "objectives": objective_tree(list(initiative.objectives.all())),
        "related_initiatives": related,
        "related_resources": own_resources,
        "resource_count": resource_count,
        "untranslated": initiative.untranslated("title", "summary", "body"),
    }
    response = render(request, "initiatives/detail.html", context)
    if not initiative.is_published:
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
    return response


@same_origin_post
@require_http_methods(["GET", "POST"])
@ratelimit("contact-reveal", rate="30/h")
def contact_email(request, slug, pk):
    """Show a contact's e-mail address only on a POST from the portal's own page.

    The detail page carries a "Show e-mail address" button rather than a mailto link, so
    address harvesters that read page source or follow links never see it; it works
    without JavaScript. A GET shows the same button.
    """
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), slug=slug)
    contact = get_object_or_404(initiative.contacts.exclude(email=""), pk=pk)
    revealed = request.method == "POST"
    response = render(
        request,
        "initiatives/contact.html",
        {"initiative": initiative, "contact": contact, "revealed": revealed},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    if revealed:
        add_never_cache_headers(response)
    return response
