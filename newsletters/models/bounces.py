"""What came back: bounce and complaint reports, each tied to its reader and delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .issues import Delivery
from .readers import Subscriber


class BounceReport(models.Model):
    """One report that a message did not reach its reader, or that the reader called it
    spam: a bounce message our receiver parsed (RFC 3464), an abuse report (RFC 5965),
    or an e-mail provider's webhook."""

    class Kind(models.TextChoices):
        HARD = "hard", _("Permanent failure")
        SOFT = "soft", _("Temporary failure")
        COMPLAINT = "complaint", _("Complaint (marked as spam)")

    class Source(models.TextChoices):
        RECEIVER = "receiver", _("Bounce message")
        WEBHOOK = "webhook", _("E-mail provider")
        ADMIN = "admin", _("Staff")

    received = models.DateTimeField(_("received"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    email = models.EmailField(_("address"), max_length=254, blank=True)
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bounce_reports",
        verbose_name=_("subscriber"),
    )
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bounce_reports",
        verbose_name=_("delivery"),
    )
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("bounce report")
        verbose_name_plural = _("bounce reports")
        ordering = ["-received", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"
