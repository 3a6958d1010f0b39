"""An issue's recipients: every delivery row with its reader, status, attempts, the
server's last answer and when; filtered by status (with counts), searched by address or
name, 100 a page. The same few queries whatever the issue's size: the counts (one
GROUP BY on the (issue, status) index), the page's ids (and their count when searching)
and the page's rows, readers joined in."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Delivery

PAGE_SIZE = 100


class RecipientFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=Delivery.Status.choices
    )
    q = django_filters.CharFilter(
        label=gettext_lazy("Address or name"),
        method="search",
        max_length=254,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = Delivery
        fields = ["status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if "@" in value and " " not in value and not value.startswith("@"):
            # A whole address: the subscribers' unique index on lower(email) finds it.
            exact = queryset.alias(email_lower=Lower("subscriber__email")).filter(
                email_lower=value.lower()
            )
            if exact.exists():
                return exact
        return queryset.filter(
            Q(subscriber__email__icontains=value) | Q(subscriber__name__icontains=value)
        )


def _link(**params):
    """A query string keeping only the parameters that have a value."""
    kept = {key: value for key, value in params.items() if value}
    return "?" + urlencode(kept) if kept else "?"


SHOWN = (
    "subscriber_id",
    "status",
    "attempts",
    "last_error",
    "last_attempt_at",
    "sent_at",
    "bounced_at",
    "subscriber__email",
    "subscriber__name",
)


class _Paginator(Paginator):
    """A paginator told its count when the caller already knows it."""

    def __init__(self, object_list, per_page, known=None):
        super().__init__(object_list, per_page)
        self._known = known

    @cached_property
    def count(self):
        return self.object_list.count() if self._known is None else self._known


class RecipientsMixin:
    """The issue admin's recipients page."""

    def recipients_view(self, request, pk):
        issue = self._issue(request, pk)
        # In the order readers subscribed: the (issue, subscriber) unique index's order.
        rows = Delivery.objects.filter(issue_id=issue.pk).order_by("subscriber_id")
        filters = RecipientFilter(request.GET or None, queryset=rows)
        valid = not filters.is_bound or filters.is_valid()
        chosen = filters.form.cleaned_data if filters.is_bound and valid else {}
        status, query = chosen.get("status") or "", chosen.get("q") or ""
        counts = services.issue_progress(issue.pk)
        # Pages are cut from the ids alone, so that a far page skips index entries, not
        # joined rows; without a search the status counts give the total.
        page = _Paginator(
            filters.qs.values_list("pk", flat=True) if valid else rows.none(),
            PAGE_SIZE,
            known=None if query or not valid else counts[status or "total"],
        ).get_page(request.GET.get("page"))
        shown = (
            Delivery.objects.filter(pk__in=list(page.object_list))
            .select_related("subscriber")
            .only(*SHOWN)
            .order_by("subscriber_id")
        )
        choices = [("", _("All"), counts["total"])] + [
            (value, label, counts[value]) for value, label in Delivery.Status.choices
        ]
        return TemplateResponse(
            request,
            "admin/newsletters/issue/recipients.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Recipients of %(issue)s") % {"issue": issue},
                "issue": issue,
                "opts": self.model._meta,
                "filters": filters,
                "status": status,
                "query": query,
                "statuses": [
                    (label, count, _link(status=value, q=query), value == status)
                    for value, label, count in choices
                ],
                "page": page,
                "rows": shown,
                "previous": _link(status=status, q=query, page=page.number - 1)
                if page.has_previous()
                else None,
                "next": _link(status=status, q=query, page=page.number + 1)
                if page.has_next()
                else None,
                "counts": counts,
                "actions": self._available_actions(issue, request.user),
            },
            status=200 if valid else 400,
        )
