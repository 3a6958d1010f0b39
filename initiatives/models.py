"""CP AoR initiatives and the shared reference data they point to.

Partner, Region, Country and Theme are shared with the rest of the portal: members and
resources will point to the same organisation, region and theme records.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.languages import shown_in_english, translated_or_english
from common.sanitize import sanitize_html
from common.validators import single_line

# Raster formats only: an uploaded SVG can carry script.
IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
image_validators = [FileExtensionValidator(IMAGE_EXTENSIONS)]


class NamedQuerySet(models.QuerySet):
    def by_name(self):
        return self.order_by("order", translated_or_english("name"))


class NamedTerm(models.Model):
    """A short translatable vocabulary editors keep in admin (themes, regions, topics)."""

    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = NamedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Theme(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Region(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Country(models.Model):
    iso_code = models.CharField(
        _("ISO code"), max_length=2, unique=True, help_text=_("ISO 3166-1 alpha-2, e.g. KE.")
    )
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="countries"
    )

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.iso_code = (self.iso_code or "").upper()


class Partner(models.Model):
    """An organisation the CP AoR works with; shared by initiatives, members and resources."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    acronym = models.CharField(_("acronym"), max_length=40, blank=True, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to="partners/",
        blank=True,
        validators=image_validators,
        help_text=_("PNG, JPEG, WebP or GIF. Shown next to the name, so it needs no text."),
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published initiatives, and drafts too for people who may edit them."""
        if user.has_perm("initiatives.change_initiative"):
            return self.all()
        return self.published()

    def ordered(self):
        """Featured first, then the editors' order, then title in the page's language."""
        return self.order_by("-is_featured", "order", translated_or_english("title"), "pk")

    def featured(self):
        return self.published().filter(is_featured=True).ordered()

    def with_page_details(self):
        """With what an initiative's page and its API record show, a query each."""
        return self.prefetch_related(
            models.Prefetch("themes", queryset=Theme.objects.by_name()),
            models.Prefetch("regions", queryset=Region.objects.by_name()),
            "countries",
            models.Prefetch("partners", queryset=Partner.objects.order_by("name")),
            "objectives",
            "milestones",
            "contacts",
        )


class Initiative(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), help_text=_("One paragraph, shown on the cards."))
    body = models.TextField(
        _("body"),
        blank=True,
        help_text=_(
            "HTML. Paragraphs, headings (h2–h4), lists, links, emphasis and quotes are kept; "
            "scripts, styles and event attributes are removed when you save."
        ),
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="initiatives", blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    hero_image = models.FileField(
        _("hero image"), upload_to="initiatives/", blank=True, validators=image_validators
    )
    hero_alt = models.CharField(
        _("hero image text alternative"),
        max_length=250,
        blank=True,
        validators=[single_line],
        help_text=_(
            "What the picture shows, for people who cannot see it. Required with an image."
        ),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), related_name="initiatives", blank=True
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), related_name="initiatives", blank=True
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners"), related_name="initiatives", blank=True
    )
    is_featured = models.BooleanField(_("featured"), default=False)
    order = models.PositiveSmallIntegerField(
        _("order"), default=100, help_text=_("Lower numbers come first.")
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are seen only by editors.")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-is_featured", "order", "title"]
        indexes = [
            models.Index(
                fields=["is_published", "-is_featured", "order"], name="initiative_listing"
            ),
            models.Index(fields=["status"], name="initiative_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="initiative_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:detail", kwargs={"slug": self.slug})

    def clean(self):
        # Sanitising happens here, in the form's validation path (admin calls full_clean),
        # rather than hidden in save(): every translation of the body is cleaned.
        for code, _name in settings.LANGUAGES:
            field = f"body_{code}"
            value = getattr(self, field, None)
            if value:
                setattr(self, field, sanitize_html(value))
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot come before the start date.")
        if self.hero_image and not (self.hero_alt_en or "").strip():
            errors["hero_alt_en"] = _("Describe the image for people who cannot see it.")
        if errors:
            raise ValidationError(errors)

    def untranslated(self, *fields, language=None):
        """The fields shown in English because they have no text in the language."""
        return [field for field in fields if shown_in_english(self, field, language)]


class Objective(models.Model):
    """An aim of an initiative; an objective with a parent is one of the aim's steps."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="objectives")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("Leave empty for a main aim; choose an aim for one of its objectives."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("objective"))

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if self.parent_id and self.parent.initiative_id != self.initiative_id:
            raise ValidationError({"parent": _("Choose an aim of the same initiative.")})


class Milestone(models.Model):
    """A dated event of an initiative (workshop, launch, review).

    Sources often give only a month or a year, so `precision` says how much of `date` is
    known (a month is stored as its first day) and `is_approximate` marks a date that is
    an estimate, shown as "around 2018".
    """

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    precision = models.CharField(
        _("date precision"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    is_approximate = models.BooleanField(
        _("approximate date"), default=False, help_text=_("Shown as “around …”.")
    )
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    place = models.CharField(_("place"), max_length=200, blank=True, validators=[single_line])
    description = models.TextField(_("short description"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.iso_date} {self.title}"

    @property
    def iso_date(self):
        """The date as precise as it is known, for <time datetime>: 2018, 2017-05, 2020-02-14."""
        formats = {self.Precision.YEAR: "%Y", self.Precision.MONTH: "%Y-%m"}
        return self.date.strftime(formats.get(self.precision, "%Y-%m-%d"))

    @property
    def date_format(self):
        """A Django date format for the known part of the date."""
        return {self.Precision.YEAR: "Y", self.Precision.MONTH: "F Y"}.get(
            self.precision, "DATE_FORMAT"
        )


class Contact(models.Model):
    """A person to ask about an initiative. The e-mail address is never printed in the page."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    role = models.CharField(_("role"), max_length=200, blank=True, validators=[single_line])
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[single_line]
    )
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Revealed only to a person who asks for it on the page, never in the page."),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name
