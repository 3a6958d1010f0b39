"""The issues editors write, one delivery row per (issue, subscriber): the outbox the
sending engine works through, and the images an issue shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.states import Transition, Transitions
from common.validators import single_line
from initiatives.models import Initiative
from resources.models import Resource

from .readers import NewsletterList, Subscriber


class IssueStateError(Exception):
    """The action does not apply to the issue in its current state."""

    def __init__(self, issue, transition):
        self.issue = issue
        self.action = transition.name
        super().__init__(
            f"Cannot {transition.verb} an issue that is {issue.get_status_display().lower()}."
        )


# Editors act through the admin; finishing is the sending engine's alone.
SEND = "newsletters.change_issue"


class IssueQuerySet(models.QuerySet):
    def archived(self):
        """Sent issues, newest first: the public archive. An issue sent once that is
        going out again (to readers whose copy failed, or who joined after) stays in it:
        it keeps its first finished_at until it finishes again."""
        again = Q(status__in=[Issue.Status.SENDING, Issue.Status.PAUSED], finished_at__isnull=False)
        return self.filter(Q(status=Issue.Status.SENT) | again).order_by("-started_at", "-pk")


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    # What each action starts from and leads to: the services' guard and the admin's
    # buttons read this table.
    transitions = Transitions(
        Transition("send_now", {Status.DRAFT, Status.SCHEDULED}, Status.SENDING, SEND, verb="send"),
        # Scheduling a scheduled issue again moves it to the new time.
        Transition("schedule", {Status.DRAFT, Status.SCHEDULED}, Status.SCHEDULED, SEND),
        # Taking a schedule back: the issue is a draft again, to edit or schedule anew.
        Transition("unschedule", {Status.SCHEDULED}, Status.DRAFT, SEND),
        Transition("pause", {Status.SENDING}, Status.PAUSED, SEND),
        Transition("resume", {Status.PAUSED}, Status.SENDING, SEND),
        Transition(
            "cancel",
            {Status.DRAFT, Status.SCHEDULED, Status.SENDING, Status.PAUSED},
            Status.CANCELLED,
            SEND,
        ),
        Transition("finish", {Status.SENDING}, Status.SENT),
        # Follow-ups once rows exist: a sent issue goes back to sending; a paused one
        # stays paused (the services leave it so) and its new rows wait for "resume".
        Transition(
            "resend_failed",
            {Status.SENDING, Status.PAUSED, Status.SENT},
            Status.SENDING,
            SEND,
            verb="resend",
        ),
        Transition(
            "send_to_new_readers",
            {Status.SENDING, Status.PAUSED, Status.SENT},
            Status.SENDING,
            SEND,
            verb="resend",
        ),
        error=IssueStateError,
    )

    newsletter = models.ForeignKey(
        NewsletterList, on_delete=models.PROTECT, related_name="issues", verbose_name=_("list")
    )
    subject = models.CharField(_("subject"), max_length=200, validators=[single_line])
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        validators=[single_line],
        help_text=_("The line mail programs show after the subject."),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown: **bold**, *italic*, [links](https://…), lists, headings (##) and "
            "images uploaded below. HTML is kept too; scripts and styles are removed."
        ),
    )
    featured_resources = models.ManyToManyField(
        Resource, verbose_name=_("featured resources"), blank=True, related_name="+"
    )
    featured_initiatives = models.ManyToManyField(
        Initiative, verbose_name=_("featured initiatives"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True, editable=False)
    # Touched by every chunk task: the watchdog restarts sending only when it goes stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(
                fields=["newsletter", "-started_at"],
                condition=Q(status="sent"),
                name="issue_archive",
            ),
            models.Index(
                fields=["scheduled_at"], condition=Q(status="scheduled"), name="issue_due"
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletters:issue", args=[self.newsletter.slug, self.pk])


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        BOUNCED = "bounced", _("Bounced")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a temporary SMTP failure the row waits until then (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    # When the engine last handed (or tried to hand) this copy to the e-mail backend.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_unique"
            ),
        ]
        indexes = [
            # What chunk tasks claim, in id order.
            models.Index(
                fields=["issue", "id"], condition=Q(status="pending"), name="delivery_pending"
            ),
            # What the watchdog returns to pending when a worker died holding it.
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="delivery_claimed"
            ),
            models.Index(fields=["issue", "status"], name="delivery_progress"),
        ]

    def __str__(self):
        return f"{self.issue_id} → {self.subscriber_id}: {self.status}"


class IssueImage(models.Model):
    """An image an editor uploaded for an issue's body, served by the portal itself."""

    issue = models.ForeignKey(
        Issue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="images",
        verbose_name=_("issue"),
    )
    image = models.ImageField(
        _("image"),
        upload_to="newsletters/images/%Y/%m/",
        width_field="width",
        height_field="height",
    )
    alt_text = models.CharField(
        _("text alternative"),
        max_length=300,
        validators=[single_line],
        help_text=_("What the image shows, read aloud by screen readers."),
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("issue image")
        verbose_name_plural = _("issue images")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.alt_text
