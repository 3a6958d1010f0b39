"""Images for issue bodies: uploaded here with their text alternative, served by the
portal from the public media folder, shown in a body with the Markdown snippet given
after the upload (and listed under the body of their issue).

An upload is accepted by its content: Pillow must read it as a JPEG, PNG, WebP or GIF
within the size and dimension limits, and the stored name takes its extension from the
format Pillow found, whatever the name it came with.
"""

import secrets
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from common.uploads import is_executable

from ..markdown import image_snippet
from ..models import IssueImage

# Pillow's name for each accepted format, and the extension the stored file gets.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_SIDE = 4000  # pixels: larger pictures only make e-mails heavy on field connections


def max_image_bytes():
    """Pictures in e-mails read on slow connections: 5 MB unless configured."""
    return int(getattr(settings, "NEWSLETTER_IMAGE_MAX_BYTES", 5 * 1024 * 1024))


def snippet(image):
    return image_snippet(image.alt_text, image.image.url)


class CheckedImageField(forms.ImageField):
    """Size and programs are refused before Pillow reads the file at all."""

    def to_python(self, data):
        if isinstance(data, UploadedFile):
            limit = max_image_bytes()
            if data.size > limit:
                raise forms.ValidationError(
                    _("This image is %(size)s; images can be at most %(limit)s."),
                    code="too_large",
                    params={"size": filesizeformat(data.size), "limit": filesizeformat(limit)},
                )
            if is_executable(data):
                raise forms.ValidationError(
                    _("This file is a program, not an image, whatever its name says."),
                    code="executable",
                )
        return super().to_python(data)


class IssueImageForm(forms.ModelForm):
    class Meta:
        model = IssueImage
        fields = ("image", "alt_text", "issue")
        field_classes = {"image": CheckedImageField}

    def clean_image(self):
        upload = self.cleaned_data["image"]
        if not isinstance(upload, UploadedFile):
            return upload  # the stored image, unchanged
        # Django's ImageField has already opened and verified the file with Pillow.
        picture = getattr(upload, "image", None)
        if picture is None or picture.format not in FORMATS:
            raise forms.ValidationError(
                _("Choose a JPEG, PNG, WebP or GIF image. Its content was checked, not its name."),
                code="unsupported_format",
            )
        width, height = picture.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise forms.ValidationError(
                _(
                    "This image is %(width)s × %(height)s pixels; images can be at most "
                    "%(side)s pixels wide and high."
                ),
                code="too_big",
                params={"width": width, "height": height, "side": MAX_SIDE},
            )
        stem = slugify(PurePath(upload.name or "").stem)[:50].strip("-") or "image"
        upload.name = f"{stem}-{secrets.token_hex(4)}.{FORMATS[picture.format]}"
        return upload


@admin.register(IssueImage)
class IssueImageAdmin(admin.ModelAdmin):
    form = IssueImageForm
    list_display = ("thumbnail", "alt_text", "issue", "markdown", "uploaded_by", "created")
    list_filter = ("issue__newsletter",)
    list_select_related = ("issue", "uploaded_by")
    search_fields = ("alt_text", "issue__subject")
    autocomplete_fields = ("issue",)
    readonly_fields = ("thumbnail", "markdown", "dimensions", "uploaded_by", "created")

    # Images are part of writing issues: whoever may write issues may upload them.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("newsletters.view_issue") or self.has_add_permission(request)

    def has_add_permission(self, request):
        user = request.user
        return user.has_perm("newsletters.add_issue") or user.has_perm("newsletters.change_issue")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("newsletters.change_issue")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("image", "alt_text", "issue")
        return (
            "thumbnail",
            "markdown",
            "alt_text",
            "issue",
            "dimensions",
            "uploaded_by",
            "created",
        )

    def get_readonly_fields(self, request, obj=None):
        # An uploaded file stays as it is: issues already show it by its address.
        return self.readonly_fields if obj is None else (*self.readonly_fields, "image")

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return format_html('<img src="{}" alt="" width="120">', obj.image.url)

    @admin.display(description=_("Markdown to copy into the body"))
    def markdown(self, obj):
        return format_html(
            '<input type="text" readonly value="{}" class="vLargeTextField" aria-label="{}">',
            snippet(obj),
            _("Markdown to copy into the body"),
        )

    @admin.display(description=_("size"))
    def dimensions(self, obj):
        return f"{obj.width} × {obj.height} px"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            _("Image uploaded. Copy this into the body where it should appear: %(snippet)s")
            % {"snippet": snippet(obj)},
            messages.SUCCESS,
        )
        if obj.issue_id:
            return HttpResponseRedirect(
                reverse("admin:newsletters_issue_change", args=[obj.issue_id]) + "#compose-images"
            )
        return HttpResponseRedirect(reverse("admin:newsletters_issueimage_change", args=[obj.pk]))
