"""The shared admin pages: the audit trail of staff actions and the e-mail outbox."""

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit, outbox
from .models import OutboundEmail


@admin.register(LogEntry)
class AuditTrailAdmin(admin.ModelAdmin):
    """Every staff action, read-only: admin edits and the actions services record."""

    list_display = ("action_time", "user", "content_type", "record", "action", "message")
    list_filter = ("action_flag", "content_type", "user")
    search_fields = ("object_repr", "change_message", "user__email", "user__username")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")
    ordering = ("-action_time",)

    @admin.display(description=_("record"), ordering="object_repr")
    def record(self, entry):
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change",
                args=[entry.object_id],
            )
        except (NoReverseMatch, AttributeError):
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry):
        return entry.get_action_flag_display()

    @admin.display(description=_("what was done"))
    def message(self, entry):
        return entry.get_change_message()

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Every e-mail the portal sent or tried to send to one person, with its error; those
    that failed can be sent again. Nothing here is edited by hand."""

    list_display = ("created", "recipients", "subject", "status", "attempts", "error")
    list_filter = ("status", "created")
    search_fields = ("subject", "to", "last_error")
    date_hierarchy = "created"
    actions = ["send_again"]
    fields = (
        ("status", "attempts"),
        ("created", "next_attempt_at", "sent_at"),
        "to",
        "subject",
        "last_error",
        "headers",
        "context",
        "body",
    )

    @admin.display(description=_("to"))
    def recipients(self, email):
        return ", ".join(email.to)

    @admin.display(description=_("last error"))
    def error(self, email):
        return email.last_error[:120]

    @admin.action(description=_("Send the selected e-mails again"), permissions=["change"])
    def send_again(self, request, queryset):
        emails = list(queryset.exclude(status=OutboundEmail.Status.SENT))
        count = outbox.email_send_again(email_ids=[email.pk for email in emails])
        audit.record_many(actor=request.user, objects=emails, message="Queued to be sent again")
        level = messages.SUCCESS if count else messages.WARNING
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail queued to be sent again; sent ones are never sent twice.",
                "%(count)d e-mails queued to be sent again; sent ones are never sent twice.",
                count,
            )
            % {"count": count},
            level,
        )

    def get_readonly_fields(self, request, obj=None):
        return self.fields_flat()

    @classmethod
    def fields_flat(cls):
        return [name for row in cls.fields for name in (row if isinstance(row, tuple) else (row,))]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A page that saves nothing offers no Save button.
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
