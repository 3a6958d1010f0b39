"""The resource library: toolkits, guidance and reports, each in one or more languages."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Left, NullIf
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

# The library's languages and search queries live in search.py; services, views and
# templates read them from here too.
from .search import (  # noqa: F401
    MARK_START,
    MARK_STOP,
    SEARCH_CONFIGS,
    SNIPPET_TEXT_CHARS,
    Language,
    search_query,
    weighted,
    weighted_sql,
)

# file_format of a link whose server answers with an HTML page.
WEB_PAGE = "html"


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
                Left(file_text, SNIPPET_TEXT_CHARS),
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


class ResourceVersion(models.Model):
    """The resource in one language: an uploaded file or a link to one elsewhere."""

    class Extraction(models.TextChoices):
        PENDING = "pending", _("Waiting to be read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")
        NOT_APPLICABLE = "n/a", _("Nothing to read")

    class Kind(models.TextChoices):
        """What the version is: the whole document, or a shorter text drawn from it."""

        FULL = "full", _("Full document")
        SUMMARY = "summary", _("Summary")
        BRIEF = "brief", _("Brief")
        ANNEX = "annex", _("Annex")

    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked")
        OK = "ok", _("Works")
        BROKEN = "broken", _("May be broken")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.FULL,
        help_text=_("The whole document, or a summary or brief of it in this language."),
    )
    file = models.FileField(
        _("file"),
        upload_to=uploads.version_upload_to,
        blank=True,
        max_length=200,
        validators=[uploads.validate_document],
        help_text=_("PDF, Word, Excel, PowerPoint, PNG or JPEG."),
    )
    external_url = models.URLField(
        _("external link"),
        blank=True,
        max_length=500,
        help_text=_("Instead of a file: where the document is published elsewhere."),
    )
    file_format = models.CharField(_("format"), max_length=5, blank=True, editable=False)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, editable=False)
    extracted_text = models.TextField(_("text of the file"), blank=True, editable=False)
    extraction_status = models.CharField(
        _("text extraction"),
        max_length=8,
        choices=Extraction.choices,
        default=Extraction.PENDING,
        editable=False,
    )
    # When the file was last handed to a worker, and how many times since it was chosen:
    # services.versions_requeue_stalled queues a version lost on the way again, a bounded
    # number of times, so none waits for ever.
    extraction_queued_at = models.DateTimeField(
        _("queued for reading"), null=True, blank=True, editable=False
    )
    extraction_attempts = models.PositiveSmallIntegerField(
        _("reading attempts"), default=0, editable=False
    )
    # The size of the extracted text in UTF-8, kept apart so that lists can offer "read
    # as text (N KB)" without reading the text itself.
    text_bytes = models.PositiveIntegerField(_("size of the text"), default=0, editable=False)
    # An external link as last checked by services.links (a worker, never a request).
    link_status = models.CharField(
        _("link"),
        max_length=10,
        choices=LinkStatus.choices,
        default=LinkStatus.UNCHECKED,
        editable=False,
    )
    link_http_status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, blank=True, editable=False
    )
    link_checked_at = models.DateTimeField(_("link checked"), null=True, blank=True, editable=False)
    link_error = models.CharField(_("link problem"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("language version")
        verbose_name_plural = _("language versions")
        ordering = ["resource", "language"]
        indexes = [
            models.Index(fields=["language", "resource"], name="version_language"),
            # The scheduled re-check reads the links checked longest ago.
            models.Index(
                fields=["link_checked_at"],
                condition=~Q(external_url=""),
                name="version_link_check",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "language"], name="version_one_per_language"
            ),
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(external_url="")) | (~Q(file="") & Q(external_url="")),
                name="version_file_xor_link",
            ),
        ]

    def __str__(self):
        return f"{self.resource} ({self.get_language_display()})"

    def clean(self):
        if bool(self.file) == bool(self.external_url):
            raise ValidationError(
                _("Give either a file or a link to the document elsewhere, not both.")
                if self.file
                else _("Upload a file or give a link to the document elsewhere.")
            )

    @property
    def format_label(self):
        """PDF, Word… for a file, or for a link whose server said what it holds."""
        if self.file_format == WEB_PAGE:
            return _("Web page")
        if not self.file_format:
            return _("Link") if self.external_url else ""
        return uploads.FORMAT_LABELS.get(self.file_format, self.file_format.upper())

    @property
    def link_may_be_broken(self):
        return bool(self.external_url) and self.link_status == self.LinkStatus.BROKEN

    def get_text_url(self):
        return reverse(
            "resources:text",
            kwargs={"slug": self.resource.slug, "language": self.language},
        )

    def get_download_url(self):
        return reverse(
            "resources:download",
            kwargs={"slug": self.resource.slug, "language": self.language},
        )

    @property
    def target_url(self):
        return self.file.url if self.file else self.external_url


def language_name(code):
    return dict(settings.LANGUAGES).get(code, code)


class SearchDocument(models.Model):
    """Everything a resource can be found by: titles (A), summaries (B) and the text of
    its files (C), each language with its own configuration.

    Kept apart from the resource, in a narrow table, so that a word found in most of the
    library is read from a few megabytes of rows rather than from every resource's
    titles and summaries; the vectors themselves are stored out of line. Besides the GIN
    index on the vector, migration 0005 makes two on its titles and on its titles and
    summaries, which rank the matches. Written by services.resources_update_search_vectors
    only."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    vector = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="search_document")]

    def __str__(self):
        return f"search document of resource {self.resource_id}"


class LibraryGeneration(models.Model):
    """One row whose number moves, by trigger, with every committed change to what the
    facet index (index.py) holds: see migration 0005. Django never writes it."""

    generation = models.BigIntegerField(default=0)

    def __str__(self):
        return f"library generation {self.generation}"
