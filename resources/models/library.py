"""Resources and their topics."""

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchVector,
    SearchVectorExact,
)
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import NullIf
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import uploads
from common.languages import current_language, translated_or_english
from common.validators import single_line
from initiatives.models import (
    Country,
    Initiative,
    NamedTerm,
    Partner,
    Region,
)

from ..search import (
    MARK_START,
    MARK_STOP,
    PREFIXED_LANGUAGES,
    SEARCH_CONFIGS,
    Passage,
    search_query,
    weighted,
)
from .search_tables import SearchDocument
from .versions import ResourceVersion


class Topic(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class ResourceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Resource.Status.PUBLISHED)

    def visible_to(self, user):
        """Published resources, and drafts too for people who may edit them."""
        if user.has_perm("resources.change_resource"):
            return self.all()
        return self.published()

    def matching(self, q):
        """Resources whose title, summary or file text match the words q."""
        documents = SearchDocument.objects.filter(vector=search_query(q))
        return self.filter(pk__in=documents.values("resource_id"))

    def search(self, q, lang=None):
        """Matches for q, with `rank` and a highlighted `snippet` in the language lang.

        The rank is a tier: 2 when the title alone holds the words, 1 when the title and
        summary together do, 0 when the file's text is needed (see SearchDocument)."""
        query = search_query(q)
        document = SearchDocument.objects.filter(resource_id=models.OuterRef("pk"))
        tier = models.Case(
            models.When(SearchVectorExact(weighted("vector", "a"), query), then=Value(2)),
            models.When(SearchVectorExact(weighted("vector", "ab"), query), then=Value(1)),
            default=Value(0),
        )
        rank = models.Subquery(document.annotate(rank=tier).values("rank")[:1])
        return self.matching(q).annotate(rank=rank).with_snippets(q, lang)

    def with_snippets(self, q, lang=None):
        """A highlighted `snippet` of the summary and file text for the words q."""
        lang = lang if lang in SEARCH_CONFIGS else current_language()
        query = search_query(q)
        file_text = models.Subquery(
            ResourceVersion.objects.filter(resource=models.OuterRef("pk"))
            .order_by(
                models.Case(models.When(language=lang, then=Value(0)), default=Value(1)),
                "language",
            )
            .values("extracted_text")[:1]
        )
        summary = translated_or_english("summary", lang)
        # CONCAT_WS skips NULLs: no dangling separator when there is no file text.
        with_file_text = models.Func(
            Value(" … "),
            summary,
            NullIf(
                Passage(file_text, query, whole_words=lang not in PREFIXED_LANGUAGES),
                Value(""),
                output_field=models.TextField(),
            ),
            function="CONCAT_WS",
            output_field=models.TextField(),
        )
        # The file's text is read only when the summary has none of the words: headlines
        # cost by the character, and most of the first results match in their summary.
        text = models.Case(
            models.When(
                SearchVectorExact(SearchVector(summary, config=SEARCH_CONFIGS[lang]), query),
                then=summary,
            ),
            default=with_file_text,
            output_field=models.TextField(),
        )
        return self.annotate(
            snippet=SearchHeadline(
                text,
                query,
                config=SEARCH_CONFIGS[lang],
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_fragments=2,
                max_words=30,
                min_words=12,
                fragment_delimiter=" … ",
            ),
        )

    def ordered(self, sort="newest", lang=None):
        if sort == "title":
            return self.order_by(translated_or_english("title", lang), "pk")
        if sort == "relevance" and "rank" in self.query.annotations:
            return self.order_by("-rank", F("publication_date").desc(nulls_last=True), "pk")
        return self.order_by(F("publication_date").desc(nulls_last=True), "-pk")


class Resource(models.Model):
    class Type(models.TextChoices):
        TOOLKIT = "toolkit", _("Toolkit")
        GUIDANCE = "guidance", _("Guidance")
        TOOL = "tool", _("Tool")
        REPORT = "report", _("Report")
        CASE_STUDY = "case-study", _("Case study")
        INFOGRAPHIC = "infographic", _("Infographic")
        ONE_PAGER = "one-pager", _("One-pager")
        TRAINING = "training-material", _("Training material")
        POLICY = "policy", _("Policy")
        ASSESSMENT = "assessment", _("Assessment")
        VIDEO = "video", _("Video")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        DRAFT = "draft", _("Draft")

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.OTHER)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="resources", blank=True
    )
    initiatives = models.ManyToManyField(
        Initiative, verbose_name=_("initiatives"), related_name="resources", blank=True
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), related_name="resources", blank=True
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), related_name="resources", blank=True
    )
    publishers = models.ManyToManyField(
        Partner, verbose_name=_("publishers"), related_name="published_resources", blank=True
    )
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    publication_precision = models.CharField(
        _("publication date precision"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.YEAR,
        help_text=_("A month is stored as its first day, a year as 1 January."),
    )
    is_key = models.BooleanField(
        _("key resource"), default=False, help_text=_("Highlighted in lists and searches.")
    )
    thumbnail = models.FileField(
        _("thumbnail"),
        upload_to=uploads.thumbnail_upload_to,
        blank=True,
        validators=[uploads.validate_image],
        help_text=_("PNG or JPEG, shown as decoration next to the title."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("first published"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the resource was first published; the feeds list the newest."),
    )
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        editable=False,
        help_text=_("Generated example content, left out when the portal loads real content only."),
    )
    download_count = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-publication_date", "-pk"]
        indexes = [
            models.Index(fields=["status", "-publication_date"], name="resource_listing"),
            models.Index(fields=["status", "type"], name="resource_type"),
            models.Index(
                fields=["publication_date"],
                condition=Q(is_key=True),
                name="resource_key",
            ),
            models.Index(
                fields=["-published_at"],
                condition=Q(status="published"),
                name="resource_newly_published",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:detail", kwargs={"slug": self.slug})

    @property
    def year(self):
        return self.publication_date.year if self.publication_date else None

    @property
    def date_format(self):
        return {self.Precision.YEAR: "Y", self.Precision.MONTH: "F Y"}.get(
            self.publication_precision, "DATE_FORMAT"
        )
