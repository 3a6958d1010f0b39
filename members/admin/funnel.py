"""The application funnel in admin: how many applications reached each stage, how many
wait in each status now, and the median days from submission to a decision, drawn by
the server (common.charts) with the same figures in tables."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q
from django.db.models.functions import Extract
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from common.charts import Bar, horizontal_bars

from ..models import Application

Status = Application.Status
# The periods the page offers, in days; None is every application ever made.
PERIODS = {"90": 90, "365": 365, "all": None}


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def funnel(since=None) -> dict:
    """The funnel's figures for the applications created since `since` (all if None),
    in three queries whatever their number."""
    applications = Application.objects.all()
    if since is not None:
        applications = applications.filter(created__gte=since)
    decided = Q(status__in=[Status.APPROVED, Status.DECLINED])
    stages = applications.aggregate(
        # distinct: the join with the events repeats each application once per event.
        started=Count("pk", distinct=True),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False), distinct=True),
        reviewed=Count(
            "pk",
            filter=Q(events__to_status=Status.UNDER_REVIEW) | decided,
            distinct=True,
        ),
        decided=Count("pk", filter=decided, distinct=True),
        approved=Count("pk", filter=Q(status=Status.APPROVED), distinct=True),
    )
    waiting = dict(
        applications.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    wait = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    median = (
        applications.filter(decided, decided_at__isnull=False, submitted_at__isnull=False)
        .annotate(days=Extract(wait, "epoch") / 86400.0)
        .aggregate(median=Median("days"))["median"]
    )
    return {
        "stages": [
            (_("Started"), stages["started"]),
            (_("Submitted"), stages["submitted"]),
            (_("Reviewed"), stages["reviewed"]),
            (_("Decided"), stages["decided"]),
            (_("Approved"), stages["approved"]),
        ],
        "statuses": [(label, waiting.get(value, 0)) for value, label in Status.choices],
        "median_days": None if median is None else round(median, 1),
    }


class FunnelMixin:
    """Adds the funnel page to the application admin (its link is on the list)."""

    def get_urls(self):
        return [
            path(
                "funnel/",
                self.admin_site.admin_view(self.funnel_view),
                name="members_application_funnel",
            ),
            *super().get_urls(),
        ]

    def funnel_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = request.GET.get("period", "365")
        if period not in PERIODS:
            period = "365"
        days = PERIODS[period]
        since = None if days is None else timezone.now() - timedelta(days=days)
        figures = funnel(since)
        stages_title = _("Applications reaching each stage")
        statuses_title = _("Applications by status now")
        return TemplateResponse(
            request,
            "admin/members/application/funnel.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Application funnel"),
                "opts": self.model._meta,
                "period": period,
                "periods": [
                    ("90", _("Last 90 days")),
                    ("365", _("Last 12 months")),
                    ("all", _("All time")),
                ],
                "figures": figures,
                "stages_title": stages_title,
                "statuses_title": statuses_title,
                "stages_chart": horizontal_bars(
                    [Bar(str(label), count) for label, count in figures["stages"]],
                    title=stages_title,
                ),
                "statuses_chart": horizontal_bars(
                    [Bar(str(label), count) for label, count in figures["statuses"]],
                    title=statuses_title,
                ),
            },
        )
