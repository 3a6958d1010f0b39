"""What reviewers and applicants add to an application besides its status: the documents
an applicant sends with an answer, and the reviewers' internal notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common import uploads
from common.validators import single_line

from .applications import Application, ApplicationEvent
from .documents import private_storage


def attachment_upload_to(instance, filename):
    """Like the supporting document: a name made here, the extension from the content."""
    try:
        fileobj = instance.file.file
    except (ValueError, FileNotFoundError):
        fileobj = None
    return uploads.safe_name("membership/documents", filename, fileobj)


class ApplicationAttachment(models.Model):
    """A document the applicant sent with an answer to a request for information: stored
    and checked as the supporting document is, seen by the applicant and the reviewers."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        ApplicationEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("sent with"),
    )
    file = models.FileField(
        _("document"), storage=private_storage, upload_to=attachment_upload_to, max_length=200
    )
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("document sent with an answer")
        verbose_name_plural = _("documents sent with answers")
        ordering = ["created", "pk"]

    def __str__(self):
        return self.name


class ApplicationNote(models.Model):
    """A reviewer's note for the other reviewers: the applicant never sees it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("note"))
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created", "pk"]

    def __str__(self):
        return self.text[:60]
