"""Readers' alerts: a saved library search e-mailed as a digest, and a wish to hear when
a resource appears in a language. Each belongs to a newsletters Subscriber (the reader's
address, language, tokens and bounce state) without subscribing them to any list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from newsletters.models import Subscriber
from resources.models import Language, Resource


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class SearchAlertQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class SearchAlert(models.Model):
    """New resources matching a library search, e-mailed weekly or monthly."""

    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="search_alerts",
        verbose_name=_("subscriber"),
    )
    # The library's filter parameters only, sorted and URL-encoded (alerts.searches).
    query = models.CharField(_("search"), max_length=1000, blank=True)
    label = models.CharField(_("description"), max_length=500, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    # Resources published up to this moment have been considered for a digest; the next
    # digest is due one period after it.
    last_sent_through = models.DateTimeField(
        _("covered until"), null=True, blank=True, editable=False
    )

    objects = SearchAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("search alert")
        verbose_name_plural = _("search alerts")
        ordering = ["-created", "-pk"]
        constraints = [
            # Asking twice for the same search at the same address is one alert.
            models.UniqueConstraint(
                fields=["subscriber", "query"], name="alerts_search_one_per_query"
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_sent_through"],
                condition=Q(confirmed_at__isnull=False),
                name="alerts_search_due",
            ),
        ]

    def __str__(self):
        return self.label or self.query or "—"


class LanguageWatch(models.Model):
    """Tell the reader once when a resource gains a version in their language."""

    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="language_watches",
        verbose_name=_("subscriber"),
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="+", verbose_name=_("resource")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("language watch")
        verbose_name_plural = _("language watches")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "resource", "language"], name="alerts_watch_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["resource", "language"],
                condition=Q(confirmed_at__isnull=False, notified_at__isnull=True),
                name="alerts_watch_open",
            ),
        ]

    def __str__(self):
        return f"{self.resource} ({self.language})"


class Digest(models.Model):
    """One alert's e-mail for one period: the outbox row of a digest. Unique per
    (alert, period start), so a repeated or crashed run never mails twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    alert = models.ForeignKey(
        SearchAlert, on_delete=models.CASCADE, related_name="digests", verbose_name=_("alert")
    )
    period_start = models.DateTimeField(pgettext_lazy("start of a period", "from"))
    period_end = models.DateTimeField(pgettext_lazy("end of a period", "until"))
    # The resources the digest lists, chosen once when the row is made: a retry sends the
    # same message.
    resource_ids = models.JSONField(_("resources"), default=list)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "period_start"], name="alerts_digest_one_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["created"], condition=Q(status="pending"), name="digest_pending"),
        ]

    def __str__(self):
        return f"{self.alert_id} {self.period_start:%Y-%m-%d} → {self.period_end:%Y-%m-%d}"
