from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.languages import current_language
from common.pagecache import same_origin_post
from common.ratelimit import ratelimit

from . import services
from .forms import CONSENT_TEXT, LeaveForm, PreferencesForm, SubscribeForm
from .links import LinkError, manage_token, read_confirm_token
from .markdown import body_html
from .models import ConsentRecord, Issue, NewsletterList


def link_error(request, error):
    """An expired (410) or unusable (400) link: say so, and how to get a new one."""
    return render(
        request,
        "newsletters/link_invalid.html",
        {"expired": error.expired},
        status=410 if error.expired else 400,
    )


@same_origin_post
@require_http_methods(["GET", "POST"])
@ratelimit("newsletter-subscribe", rate="5/h")
def index(request):
    """The lists, each with its archive, and the subscribe form (the footer posts here).

    The form carries no CSRF token, so the pages showing it set no cookie and can be kept
    whole: a post from another site is refused by its origin, and a forged one could only
    ask for a confirmation e-mail (double opt-in), within the limit, past the honeypot."""
    newsletters = list(NewsletterList.objects.active().by_order())
    language = current_language()
    form = SubscribeForm(
        request.POST or None,
        newsletters=newsletters,
        language=language,
        initial={"lists": [str(n.pk) for n in newsletters if n.language == language][:1]},
    )
    if request.method == "POST":
        if form.is_spam:
            return redirect("newsletters:check_email")
        if form.is_valid():
            services.subscriber_subscribe(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                list_ids=form.chosen_ids(),
                language=language,
                form=form.cleaned_data["origin"],
                consent_text=str(CONSENT_TEXT),
            )
            return redirect("newsletters:check_email")
    return render(
        request,
        "newsletters/index.html",
        {"newsletters": newsletters, "form": form},
        status=400 if form.is_bound else 200,
    )


def check_email(request):
    """The same answer for every address, known or not."""
    return render(request, "newsletters/check_email.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners that open links confirm nothing); POST confirms."""
    try:
        if request.method == "POST":
            subscriber, newsletters = services.subscriber_confirm(token=token)
            return render(
                request,
                "newsletters/confirmed.html",
                {"newsletters": newsletters, "preferences_token": _manage(subscriber)},
            )
        read_confirm_token(token)
    except LinkError as error:
        return link_error(request, error)
    return render(request, "newsletters/confirm.html", {"token": token})


def _manage(subscriber):
    return manage_token(subscriber)


def _lists_of(subscriber):
    return list(NewsletterList.objects.filter(subscriptions__subscriber=subscriber).by_order())


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    """The preference centre: reached by the signed link in every e-mail, no login."""
    try:
        subscriber = services.subscriber_from_manage_token(token)
    except LinkError as error:
        return link_error(request, error)
    newsletters = list(NewsletterList.objects.active().by_order())
    current = [str(pk) for pk in subscriber.subscriptions.values_list("newsletter_id", flat=True)]
    form = PreferencesForm(
        request.POST or None,
        newsletters=newsletters,
        initial={
            "lists": current,
            "language": subscriber.language,
            "plain_text": subscriber.plain_text,
        },
    )
    if request.method == "POST":
        if "unsubscribe" in request.POST:
            services.subscriber_unsubscribe(
                subscriber_id=subscriber.pk, form=ConsentRecord.Form.PREFERENCES
            )
            return redirect("newsletters:unsubscribed")
        if form.is_valid():
            services.subscriber_set_preferences(
                subscriber_id=subscriber.pk,
                list_ids=form.chosen_ids(),
                language=form.cleaned_data["language"] or subscriber.language,
                plain_text=form.cleaned_data["plain_text"],
                consent_text=str(CONSENT_TEXT),
            )
            if not form.chosen_ids():
                return redirect("newsletters:unsubscribed")
            messages.success(request, _("Your choices are saved."))
            return redirect("newsletters:preferences", token=token)
    return render(
        request,
        "newsletters/preferences.html",
        {"subscriber": subscriber, "form": form, "token": token},
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token, slug=None):
    """RFC 8058 one-click: mail providers POST here without cookies or CSRF token (the
    signed token is the authentication) and get 200. An issue's link names its list
    (slug): a POST leaves that list, the reader keeps the others. Links without a list
    (sent before lists were named) leave every list, as they always did. People get a
    page with a button for each choice, the link's own first."""
    try:
        subscriber = services.subscriber_from_manage_token(token)
        newsletter = None
        if slug is not None:
            newsletter = NewsletterList.objects.filter(slug=slug).first()
            if newsletter is None:
                raise LinkError()
    except LinkError as error:
        return link_error(request, error)
    known = NewsletterList.objects.values_list("pk", flat=True)
    form = LeaveForm(request.POST or None, list_ids=known)
    if request.method == "POST" and form.is_valid():
        leave = form.cleaned_data["leave"] or (newsletter.pk if newsletter else "all")
        left = None
        if leave == "all":
            services.subscriber_unsubscribe(subscriber_id=subscriber.pk, form=None)
        else:
            services.subscriber_leave_list(subscriber_id=subscriber.pk, list_id=leave)
            left = NewsletterList.objects.get(pk=leave)
        context = {"token": token, "left": left, "remaining": _lists_of(subscriber)}
        return render(request, "newsletters/unsubscribed.html", context)
    context = {
        "token": token,
        "form": form,
        "newsletter": newsletter,
        "current": [n for n in _lists_of(subscriber) if n != newsletter],
    }
    return render(
        request, "newsletters/unsubscribe.html", context, status=400 if form.is_bound else 200
    )


def unsubscribed(request):
    return render(request, "newsletters/unsubscribed.html")


@never_cache
def subscriber_data(request, token, download=False):
    """What is kept about the reader (only theirs: the link names them), as a page or as
    a JSON file to download."""
    try:
        subscriber = services.subscriber_from_manage_token(token)
    except LinkError as error:
        return link_error(request, error)
    data = services.subscriber_data(subscriber=subscriber)
    if download:
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="cpaor-newsletter-data.json"'
        return response
    return render(request, "newsletters/data.html", {"data": data, "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request, token):
    """GET asks; POST erases the reader and everything kept about them. Their links
    then lead to the "link does not work" page."""
    try:
        subscriber = services.subscriber_from_manage_token(token)
    except LinkError as error:
        return link_error(request, error)
    if request.method == "POST":
        services.subscriber_erase(subscriber_id=subscriber.pk)
        return redirect("newsletters:erased")
    return render(request, "newsletters/erase.html", {"subscriber": subscriber, "token": token})


def erased(request):
    return render(request, "newsletters/erased.html")


def archive(request, slug):
    """A list's sent issues, newest first."""
    newsletter = get_object_or_404(NewsletterList, slug=slug)
    issues = list(
        newsletter.issues.archived().only(
            "pk", "newsletter_id", "subject", "preheader", "started_at"
        )
    )
    return render(request, "newsletters/archive.html", {"newsletter": newsletter, "issues": issues})


def issue_detail(request, slug, pk):
    issue = get_object_or_404(
        Issue.objects.archived()
        .select_related("newsletter")
        .prefetch_related("featured_resources", "featured_initiatives"),
        newsletter__slug=slug,
        pk=pk,
    )
    # The Markdown source is rendered at each view: cheap next to the page's queries.
    context = {"issue": issue, "newsletter": issue.newsletter, "body": body_html(issue.body)}
    return render(request, "newsletters/issue.html", context)


class ListFeed(Feed):
    """An Atom feed of a list's sent issues."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        try:
            return NewsletterList.objects.get(slug=slug)
        except NewsletterList.DoesNotExist as error:
            raise Http404 from error

    def title(self, obj):
        return obj.name

    def subtitle(self, obj):
        return obj.description

    def link(self, obj):
        return reverse("newsletters:archive", args=[obj.slug])

    def items(self, obj):
        return obj.issues.archived().select_related("newsletter")[:20]

    def item_title(self, item):
        return item.subject

    def item_description(self, item):
        return body_html(item.body)

    def item_pubdate(self, item):
        return item.started_at

    def item_updateddate(self, item):
        return item.finished_at or item.started_at
