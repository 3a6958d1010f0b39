"""Newsletter lists and their readers: subscriptions and the consent each gave."""

import secrets

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.languages import translated_or_english
from common.validators import single_line
from resources.models import Language


def new_token():
    return secrets.token_urlsafe(24)


class NewsletterListQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def by_order(self):
        return self.order_by("order", translated_or_english("name"), "pk")


class NewsletterList(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    description = models.TextField(_("description"), blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        help_text=_("The language issues of this list are written in."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive lists accept no new subscribers.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = NewsletterListQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter list")
        verbose_name_plural = _("newsletter lists")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("newsletters:archive", args=[self.slug])


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")

    email = models.EmailField(_("e-mail address"), max_length=254)
    name = models.CharField(_("name"), max_length=150, blank=True, validators=[single_line])
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    lists = models.ManyToManyField(
        NewsletterList,
        through="Subscription",
        related_name="subscribers",
        verbose_name=_("lists"),
        blank=True,
    )
    # Part of every signed link; replacing it (erasure, a leaked link) voids all old links.
    token = models.CharField(max_length=64, default=new_token, editable=False)
    created = models.DateTimeField(_("subscribed"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True, editable=False)
    plain_text = models.BooleanField(
        _("plain text only"),
        default=False,
        db_default=False,
        help_text=_("Send issues without HTML or images: smaller, for slow connections."),
    )
    # Temporary delivery failures reported since the last message that reached the reader;
    # at NEWSLETTER_SOFT_BOUNCE_LIMIT the reader counts as bounced.
    soft_bounces = models.PositiveSmallIntegerField(
        _("soft bounces"), default=0, db_default=0, editable=False
    )
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="newsletter_subscriber_email_ci_unique",
                violation_error_message=_("This address is already a subscriber."),
            ),
        ]
        indexes = [models.Index(fields=["status", "-created"], name="subscriber_status")]

    def __str__(self):
        return self.email


class Subscription(models.Model):
    """A confirmed wish to receive one list. Rows exist only once the address has been
    confirmed by a link sent to it (or through the preference centre, which is reached
    by such a link)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        NewsletterList,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("list"),
    )
    created = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="newsletter_subscription_unique"
            ),
        ]
        indexes = [models.Index(fields=["newsletter", "subscriber"], name="subscription_list")]

    def __str__(self):
        return f"{self.subscriber} → {self.newsletter}"


class ConsentRecord(models.Model):
    """What a person agreed to, when and on which form (kept as shown, in their language)."""

    class Form(models.TextChoices):
        PAGE = "page", _("Newsletters page")
        FOOTER = "footer", _("Page footer")
        PREFERENCES = "preferences", _("Preference centre")

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Subscription requested")
        CONFIRMED = "confirmed", _("Confirmed by e-mail link")
        CHANGED = "changed", _("Lists changed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    created = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    form = models.CharField(_("form"), max_length=12, choices=Form.choices, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    text = models.TextField(_("text shown"), blank=True)
    lists = models.ManyToManyField(NewsletterList, verbose_name=_("lists"), blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.created:%Y-%m-%d %H:%M}"
