from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.languages import current_language
from common.ratelimit import ratelimit
from newsletters.links import manage_token
from newsletters.services import subscriber_from_manage_token
from resources.models import Resource

from . import links, searches, services
from .forms import LanguageWatchForm, SearchAlertForm
from .models import LanguageWatch, SearchAlert


def link_error(request, error):
    """An expired (410) or unusable (400) link: say so, and how to get a new one."""
    return render(
        request,
        "alerts/link_invalid.html",
        {"expired": error.expired},
        status=410 if error.expired else 400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("alerts-request", rate="5/h")
def search_alert_new(request):
    """E-mail me new resources like these: reached by a link from the library carrying
    its search (GET), which travels on in a hidden field (POST)."""
    language = current_language()
    if request.method == "POST":
        form = SearchAlertForm(request.POST, language=language)
        if form.is_spam:
            return redirect("alerts:check_email")
        if form.is_valid():
            query = form.cleaned_data["query"]
            services.search_alert_request(
                email=form.cleaned_data["email"],
                query=query,
                frequency=form.cleaned_data["frequency"],
                language=language,
                label=searches.describe(query, language),
            )
            return redirect("alerts:check_email")
        query = form.cleaned_data.get("query")
    else:
        try:
            query = searches.normalise(request.GET, language)
        except searches.InvalidSearch:
            query = None
        form = SearchAlertForm(language=language, initial={"query": query})
    context = {"form": form, "query": query}
    if query is not None:
        context["description"] = searches.describe(query, language)
    return render(
        request,
        "alerts/search_alert_form.html",
        context,
        status=400 if form.is_bound or query is None else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit("alerts-request", rate="5/h")
def language_watch_new(request, pk):
    """Tell me when this resource is in my language."""
    resource = get_object_or_404(
        Resource.objects.published().prefetch_related("versions"),
        pk=pk,
    )
    have = {version.language for version in resource.versions.all()}
    missing = [code for code, _name in settings.LANGUAGES if code not in have]
    language = current_language()
    # The language the link named, else the page's, if the resource lacks it.
    wanted = next((c for c in (request.GET.get("language"), language) if c in missing), None)
    form = LanguageWatchForm(
        request.POST if request.method == "POST" else None,
        missing=missing,
        initial={"language": wanted},
    )
    if request.method == "POST":
        if form.is_spam:
            return redirect("alerts:check_email")
        if form.is_valid():
            try:
                services.language_watch_request(
                    email=form.cleaned_data["email"],
                    resource_id=resource.pk,
                    language=form.cleaned_data["language"],
                    page_language=language,
                )
            except services.AlertRefused:
                form.add_error("language", form.fields["language"].error_messages["invalid_choice"])
            else:
                return redirect("alerts:check_email")
    return render(
        request,
        "alerts/language_watch_form.html",
        {"form": form, "resource": resource, "missing": missing},
        status=400 if form.is_bound else 200,
    )


def check_email(request):
    """The same answer for every address, known or not."""
    return render(request, "alerts/check_email.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners that open links confirm nothing); POST confirms."""
    try:
        _subscriber, _secret, kind, _pk = links.read_confirm_token(token)
        if request.method == "POST":
            if kind == links.SEARCH:
                row = services.search_alert_confirm(token=token)
            else:
                row = services.language_watch_confirm(token=token)
            context = {
                "kind": kind,
                "row": row,
                "manage_token": manage_token(row.subscriber),
            }
            return render(request, "alerts/confirmed.html", context)
    except links.LinkError as error:
        return link_error(request, error)
    return render(request, "alerts/confirm.html", {"token": token, "kind": kind})


MODELS = {links.SEARCH: SearchAlert, links.WATCH: LanguageWatch}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token, kind, pk):
    """RFC 8058 one-click for this alert only: mail providers POST here without cookies
    or CSRF token (the signed token is the authentication) and get 200; people get a
    page with a button. Stopping an alert already stopped says so again."""
    if kind not in MODELS:
        return link_error(request, links.LinkError())
    try:
        subscriber = subscriber_from_manage_token(token)
    except links.LinkError as error:
        return link_error(request, error)
    row = MODELS[kind].objects.filter(pk=pk, subscriber=subscriber).first()
    if request.method == "POST":
        if kind == links.SEARCH:
            services.search_alert_unsubscribe(subscriber_id=subscriber.pk, alert_id=pk)
        else:
            services.language_watch_cancel(subscriber_id=subscriber.pk, watch_id=pk)
        return render(request, "alerts/unsubscribed.html", {"kind": kind})
    if row is None:
        return render(request, "alerts/unsubscribed.html", {"kind": kind})
    return render(request, "alerts/unsubscribe.html", {"kind": kind, "row": row})
