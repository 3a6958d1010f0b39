from django.db import models
from django.utils.translation import gettext_lazy as _


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
        # The table keeps the name it had when the outbox lived in the site app.
        db_table = "cpaor_outboundemail"
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "created"], name="outbound_email_status")]

    def __str__(self):
        return f"{self.subject[:60]} → {', '.join(self.to)[:60]}"
