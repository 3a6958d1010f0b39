from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import spreadsheet

from .. import services
from ..models import BounceReport, ConsentRecord, Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ("newsletter", "created")
    readonly_fields = ("newsletter", "created")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ("created", "action", "form", "language", "text", "list_names")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lists"))
    def list_names(self, obj):
        return ", ".join(newsletter.name for newsletter in obj.lists.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lists")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "status", "language", "created", "confirmed_at")
    list_filter = ("status", "language", "lists")
    search_fields = ("email", "name")
    readonly_fields = ("status", "created", "confirmed_at", "unsubscribed_at")
    fields = ("email", "name", "language", "status", "created", "confirmed_at", "unsubscribed_at")
    inlines = [SubscriptionInline, ConsentInline]
    actions = ["export_csv", "mark_bounced", "erase"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        # Subscribers add themselves: a confirmed address is the consent.
        return False

    def has_delete_permission(self, request, obj=None):
        # Erasing goes through the "erase" action (services.subscriber_erase).
        return False

    @admin.action(description=_("Export selected subscribers as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        writer = spreadsheet.writer(response)
        writer.writerow(["email", "name", "language", "status", "lists", "subscribed", "confirmed"])
        for subscriber in queryset.prefetch_related("lists").order_by("pk"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.name,
                    subscriber.language,
                    subscriber.status,
                    " ".join(sorted(newsletter.slug for newsletter in subscriber.lists.all())),
                    subscriber.created.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                ]
            )
        return response

    @admin.action(description=_("Mark selected subscribers as bounced"), permissions=["change"])
    def mark_bounced(self, request, queryset):
        # A staff member's word is a hard bounce like any other: recorded as a report,
        # with its date and an audit line, through the one bounce service.
        changed = sum(
            services.bounce_record(
                kind=BounceReport.Kind.HARD,
                source=BounceReport.Source.ADMIN,
                subscriber_id=pk,
                detail=f"Marked bounced by {request.user.get_username()}",
                actor=request.user,
            )
            is not None
            for pk in queryset.exclude(status=Subscriber.Status.BOUNCED).values_list(
                "pk", flat=True
            )
        )
        self.message_user(
            request,
            ngettext("%d subscriber marked bounced.", "%d subscribers marked bounced.", changed)
            % changed,
        )

    @admin.action(
        description=_("Erase selected subscribers (on their request)"), permissions=["change"]
    )
    def erase(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/newsletters/confirm_erase.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase subscribers"),
                    "subscribers": queryset,
                    "opts": self.model._meta,
                    "action": "erase",
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        erased = sum(
            services.subscriber_erase(subscriber_id=pk, actor=request.user)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%d subscriber erased.", "%d subscribers erased.", erased) % erased,
            messages.SUCCESS,
        )
        return None
