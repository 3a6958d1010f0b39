"""Scheduling an issue in the editor's own time zone, and times shown with UTC beside them.

The form reads the wall-clock time the editor typed in the zone they chose (an IANA
name); the choice is kept in their session for the next time and for how the issue
admin shows times: "2026-12-03 14:00 Africa/Nairobi (11:00 UTC)". The instant stored is
always UTC."""

import functools
import zoneinfo
from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "newsletters_time_zone"
ZONES = frozenset(zoneinfo.available_timezones()) | {"UTC"}


def editor_zone(request) -> str:
    """The zone the editor chose last (kept in their session), else the site's."""
    name = request.session.get(SESSION_KEY)
    return name if name in ZONES else settings.TIME_ZONE


def remember_zone(request, name: str) -> None:
    if name in ZONES:
        request.session[SESSION_KEY] = name


def when_display(value: datetime | None, zone_name: str) -> str:
    """ "2026-12-03 14:00 Africa/Nairobi (11:00 UTC)": the time in the editor's zone, and
    in UTC (with its date when that differs)."""
    if value is None:
        return "—"
    utc = value.astimezone(UTC)
    if zone_name == "UTC":
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    local = value.astimezone(zoneinfo.ZoneInfo(zone_name))
    in_utc = f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M}"
    return f"{local:%Y-%m-%d %H:%M} {zone_name} ({in_utc} UTC)"


# The times the admin shows in the editor's zone, with their labels.
ZONED_FIELDS = {
    "scheduled_at": _("scheduled for"),
    "started_at": _("sending started"),
    "finished_at": _("sending finished"),
}


@functools.cache
def zone_displayer(zone_name: str, field: str):
    """A column or read-only field of the issue admin showing `field` in zone_name. The
    same object for the same zone and field: the admin compares the read-only fields it
    excludes from the form with those it lists."""

    def show(obj):
        return when_display(getattr(obj, field), zone_name)

    show.short_description = ZONED_FIELDS[field]
    show.admin_order_field = field
    show.__name__ = field
    return show


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone (what <input type=datetime-local>
    sends); the form gives it the zone chosen beside it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is not None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class ScheduleForm(forms.Form):
    when = LocalDateTimeField(
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Date and time in the time zone below."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=[(name, name) for name in sorted(ZONES)],
        help_text=_("Kept as your choice for next time. The issue is stored in UTC."),
    )

    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_zone = zone
        self.fields["time_zone"].initial = zone

    def clean(self):
        cleaned = super().clean()
        local = cleaned.get("when")
        name = cleaned.get("time_zone") or self.default_zone
        cleaned["time_zone"] = name
        if local is None or "time_zone" in self.errors:
            return cleaned
        zone = zoneinfo.ZoneInfo(name)
        instant = local.replace(tzinfo=zone)
        shown = {"time": f"{local:%Y-%m-%d %H:%M}", "zone": name}
        if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
            self.add_error(
                "when",
                _(
                    "%(time)s does not exist in %(zone)s: the clocks skip that hour that "
                    "day. Choose another time."
                )
                % shown,
            )
        elif local.replace(tzinfo=zone, fold=1).utcoffset() != instant.utcoffset():
            self.add_error(
                "when",
                _(
                    "%(time)s happens twice in %(zone)s: the clocks go back that night. "
                    "Choose a time outside that hour."
                )
                % shown,
            )
        elif instant <= timezone.now():
            self.add_error("when", _("Choose a time in the future, or send now."))
        else:
            cleaned["when"] = instant.astimezone(UTC)
        return cleaned
