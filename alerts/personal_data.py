"""The reader's alerts in what the newsletters show them of their data (and in its JSON
download): connected to newsletters' collect_personal_data in AlertsConfig.ready()."""

from .models import LanguageWatch, SearchAlert


def alerts_data(sender, subscriber, **kwargs):
    """Two queries: the search alerts and the language watches."""
    alerts = SearchAlert.objects.filter(subscriber=subscriber).order_by("created", "pk")
    watches = (
        LanguageWatch.objects.filter(subscriber=subscriber)
        .select_related("resource")
        .order_by("created", "pk")
    )
    return {
        "search_alerts": [
            {
                "search": alert.query,
                "description": alert.label,
                "frequency": alert.frequency,
                "language": alert.language,
                "created": alert.created,
                "confirmed_at": alert.confirmed_at,
                "last_sent_through": alert.last_sent_through,
            }
            for alert in alerts
        ],
        "language_watches": [
            {
                "resource": watch.resource.title,
                "language": watch.language,
                "created": watch.created,
                "confirmed_at": watch.confirmed_at,
                "notified_at": watch.notified_at,
            }
            for watch in watches
        ],
    }
