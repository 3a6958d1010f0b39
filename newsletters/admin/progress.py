"""The progress page of an issue being sent: what went out, what failed, the rate, when it
should end and messages per minute as a chart the server draws (inline SVG, with its
figures as a table). static/js/newsletter-progress.js reads progress.json every few
seconds while the issue is sending; without JavaScript the page has a Refresh link."""

from zoneinfo import ZoneInfo

from django.http import JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import services
from ..models import Delivery, Issue
from ..services.progress import RATE_MINUTES
from .scheduling import editor_zone, when_display

POLL_SECONDS = 5
CHART_MINUTES = 30
# The chart's drawing area in SVG units; the CSS scales it to the page.
WIDTH, HEIGHT, TOP, BOTTOM = 600, 180, 20, 24

# The figures the page shows and the script updates, in order.
FIGURES = (
    ("sent", gettext_lazy("Sent")),
    ("failed", gettext_lazy("Failed")),
    ("bounced", gettext_lazy("Bounced")),
    ("skipped", gettext_lazy("Skipped")),
    ("pending", gettext_lazy("Pending")),
    ("sending", gettext_lazy("Being sent")),
)


def _number(value) -> str:
    return number_format(value, decimal_pos=0, force_grouping=True)


def chart(per_minute, zone_name):
    """The bars, labels and text alternative of the messages-per-minute chart."""
    zone = ZoneInfo(zone_name)
    most = max((n for _, n in per_minute), default=0)
    step = WIDTH / max(len(per_minute), 1)
    drawable = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (minute, n) in enumerate(per_minute):
        height = round(drawable * n / most, 1) if most else 0
        bars.append(
            {
                "x": round(index * step + 1, 1),
                "y": round(TOP + drawable - height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": height,
                "minute": f"{minute.astimezone(zone):%H:%M}",
                "count": n,
            }
        )
    total = sum(n for _, n in per_minute)
    first = bars[0]["minute"] if bars else ""
    last = bars[-1]["minute"] if bars else ""
    description = _(
        "From %(first)s to %(last)s (%(zone)s): %(total)s messages, at most %(most)s in "
        "one minute."
    ) % {"first": first, "last": last, "zone": zone_name, "total": _number(total),
         "most": _number(most)}  # fmt: skip
    return {
        "bars": bars,
        "most": _number(most),
        "first": first,
        "last": last,
        "zone": zone_name,
        "description": description,
        "width": WIDTH,
        "height": HEIGHT,
        "top": TOP,
        "baseline": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 6,
        "minutes": len(per_minute),
    }


def cancelled_text(issue, sent: int, zone_name: str) -> str:
    """What a cancelled issue's end was: never "sending finished", but how many copies
    went out before the cancel (often none: a schedule called off)."""
    when = when_display(issue.finished_at, zone_name)
    if not sent:
        return _("Cancelled %(when)s, nothing sent.") % {"when": when}
    return ngettext(
        "Cancelled %(when)s, after %(count)s copy was sent.",
        "Cancelled %(when)s, after %(count)s copies were sent.",
        sent,
    ) % {"when": when, "count": _number(sent)}


def _summary(details, zone_name) -> dict[str, str]:
    """Each figure as shown (numbers grouped as the language writes them), by name."""
    counts = details.counts
    figures = {name: _number(counts[name]) for name, _label in FIGURES}
    figures["total"] = _number(counts["total"])
    figures["done"] = _number(counts["done"])
    figures["percent"] = f"{counts['percent']}%"
    figures["status"] = details.issue.get_status_display()
    sending = details.issue.status == Issue.Status.SENDING
    figures["rate"] = (
        _("%(rate)s messages per minute over the last %(minutes)s minutes")
        % {"rate": _number(round(details.rate)), "minutes": RATE_MINUTES}
        if sending
        else "—"
    )
    if details.finish_at:
        figures["finish"] = when_display(details.finish_at, zone_name)
    elif sending and details.remaining:
        figures["finish"] = _("not known yet (nothing went out in the last minutes)")
    elif details.issue.finished_at:
        figures["finish"] = _("finished at %(when)s") % {
            "when": when_display(details.issue.finished_at, zone_name)
        }
    else:
        figures["finish"] = "—"
    figures["summary"] = _("%(status)s: %(done)s of %(total)s done (%(percent)s).") % figures
    if details.issue.status == Issue.Status.CANCELLED:
        figures["finish"] = figures["summary"] = cancelled_text(
            details.issue, counts["sent"] + counts["bounced"], zone_name
        )
    return figures


class ProgressMixin:
    """The issue admin's progress page and its JSON."""

    def _progress(self, request, issue):
        zone_name = editor_zone(request)
        details = services.issue_progress_details(issue, minutes=CHART_MINUTES)
        figures = _summary(details, zone_name)
        return details, zone_name, figures, chart(details.per_minute, zone_name)

    def progress_view(self, request, pk):
        issue = self._issue(request, pk)
        details, zone_name, figures, drawing = self._progress(request, issue)
        return TemplateResponse(
            request,
            "admin/newsletters/issue/progress.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Sending progress"),
                "issue": issue,
                "counts": details.counts,
                "figures": figures,
                "figure_labels": [(name, label, figures[name]) for name, label in FIGURES],
                "chart": drawing,
                "opts": self.model._meta,
                "polling": issue.status == Issue.Status.SENDING,
                "poll_seconds": POLL_SECONDS,
                "failed": details.counts[Delivery.Status.FAILED],
                "actions": self._available_actions(issue, request.user),
            },
        )

    def progress_json_view(self, request, pk):
        """The figures the progress page shows, for its script to swap in."""
        issue = self._issue(request, pk)
        details, zone_name, figures, drawing = self._progress(request, issue)
        return JsonResponse(
            {
                "status": issue.status,
                "polling": issue.status == Issue.Status.SENDING,
                "counts": details.counts,
                "rate_per_minute": round(details.rate, 1),
                "finish_at": details.finish_at.isoformat() if details.finish_at else None,
                "per_minute": [[minute.isoformat(), n] for minute, n in details.per_minute],
                "figures": figures,
                "chart": render_to_string(
                    "admin/newsletters/issue/progress_chart.html", {"chart": drawing}, request
                ),
            },
            headers={"Cache-Control": "no-store"},
        )
