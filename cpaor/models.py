from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import single_line


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
