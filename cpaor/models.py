from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import single_line


class User(AbstractUser):
    """The portal's account. People sign in with their e-mail address (allauth)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class StrategyQuerySet(models.QuerySet):
    def current(self):
        """The published strategy that covers the latest period."""
        return self.filter(is_published=True).order_by("-start_year").first()


class Strategy(models.Model):
    """A dated strategy of the CP AoR with its goals; the next period is simply added."""

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    summary = models.TextField(_("summary"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["start_year"], name="strategy_unique_start_year"),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="strategy_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start_year}–{self.end_year})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot come before the first.")})


class StrategyGoal(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("goal"))

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["order", "id"]

    def __str__(self):
        return self.text[:80]


class OutboundEmail(models.Model):
    """One e-mail the portal sends to a person (confirmations, applicants' and reviewers'
    notices, sign-in links), kept until it is sent or has failed for good, so staff see
    every message that could not go and why, and can send it again. Newsletter issues
    have their own outbox, one delivery row per reader (newsletters.Delivery)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.JSONField(_("to"), default=list)
    subject = models.TextField(_("subject"))
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # What caused the message (e.g. {"application_id": 12, "kind": "submitted"}): it goes
    # into the log lines of its sending and lets staff find it.
    context = models.JSONField(_("about"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "created"], name="outbound_email_status")]

    def __str__(self):
        return f"{self.subject[:60]} → {', '.join(self.to)[:60]}"
