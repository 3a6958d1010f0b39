"""Images for issue bodies: uploaded here with their text alternative, served by the
portal from the public media folder, shown in a body with the Markdown snippet given
after the upload (and listed under the body of their issue).

An upload is accepted by its content: Pillow must read it as a JPEG, PNG, WebP or GIF
within the size and dimension limits, and the stored name takes its extension from the
format Pillow found, whatever the name it came with.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.uploads import PictureField

from ..markdown import image_snippet
from ..models import IssueImage


def max_image_bytes():
    """Pictures in e-mails read on slow connections: NEWSLETTER_IMAGE_MAX_BYTES."""
    return settings.NEWSLETTER_IMAGE_MAX_BYTES


def snippet(image):
    return image_snippet(image.alt_text, image.image.url)


class CheckedImageField(PictureField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_bytes=max_image_bytes, **kwargs)


class IssueImageForm(forms.ModelForm):
    class Meta:
        model = IssueImage
        fields = ("image", "alt_text", "issue")
        field_classes = {"image": CheckedImageField}


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
