"""A resource in one language: a file or a link, and what the portal knows of it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common import uploads

from ..search import (
    Language,
)

# file_format of a link whose server answers with an HTML page.
WEB_PAGE = "html"


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

    resource = models.ForeignKey(
        "resources.Resource", on_delete=models.CASCADE, related_name="versions"
    )
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
