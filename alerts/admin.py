from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import Digest, LanguageWatch, SearchAlert


class ReadOnly:
    """Rows readers made and the daily run keeps: staff read them; readers stop their
    alerts from the link in each e-mail, and erasure goes through the newsletters'."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SearchAlert)
class SearchAlertAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["subscriber", "label", "frequency", "language", "confirmed_at",
                    "last_sent_through", "sent"]  # fmt: skip
    list_filter = ["frequency", "language", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["subscriber__email", "label", "query"]
    list_select_related = ["subscriber"]
    date_hierarchy = "created"

    def get_queryset(self, request):
        sent = Count("digests", filter=Q(digests__status=Digest.Status.SENT))
        return super().get_queryset(request).annotate(sent_count=sent)

    @admin.display(description=_("digests sent"), ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count


@admin.register(LanguageWatch)
class LanguageWatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["subscriber", "resource", "language", "confirmed_at", "notified_at"]
    list_filter = ["language", ("notified_at", admin.EmptyFieldListFilter)]
    search_fields = ["subscriber__email", "resource__title"]
    list_select_related = ["subscriber", "resource"]


@admin.register(Digest)
class DigestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["alert", "subscriber", "period_start", "period_end", "status", "attempts",
                    "sent_at", "last_error"]  # fmt: skip
    list_filter = ["status"]
    search_fields = ["alert__subscriber__email", "alert__label"]
    list_select_related = ["alert__subscriber"]

    @admin.display(description=_("subscriber"), ordering="alert__subscriber__email")
    def subscriber(self, obj):
        return obj.alert.subscriber
