"""The shared admin pages (the audit trail of staff actions and the e-mail outbox), and
the pieces the content admins share (CurationAdminMixin, RevisionsAdminMixin)."""

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.admin import VersionAdmin
from reversion.models import Version

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


# Shared pieces for the content admins (initiatives, resources, newsletter issues): what
# curators and content editors see on every change form and list.


def _translated_fields(model):
    """{field: [field_en, field_fr, …]} for a model registered with modeltranslation."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    names = set(options.get_field_names())
    # In the model's order, as the form shows them.
    return {
        field.name: [f"{field.name}_{code}" for code, _label in settings.LANGUAGES]
        for field in model._meta.fields
        if field.name in names
    }


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def missing_translations(obj):
    """{language code: [fields empty in it]}: a field counts where its English has text,
    so an optional field left empty in every language is not "missing"."""
    missing = {}
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for name in _translated_fields(type(obj)):
        if _blank(getattr(obj, f"{name}_{default}", None)):
            continue
        for code, _label in settings.LANGUAGES:
            if _blank(getattr(obj, f"{name}_{code}", None)):
                missing.setdefault(code, []).append(name)
    return missing


class MissingLanguageFilter(admin.SimpleListFilter):
    """The records with an English text some language lacks."""

    title = _("translation")
    parameter_name = "missing_language"

    def lookups(self, request, model_admin):
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        return [
            (code, _("Missing in %(language)s") % {"language": label})
            for code, label in settings.LANGUAGES
            if code != default
        ]

    def queryset(self, request, queryset):
        codes = dict(settings.LANGUAGES)
        if self.value() not in codes:
            return queryset
        default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        lacking = Q()
        for name in _translated_fields(queryset.model):
            english = Q(**{f"{name}_{default}__isnull": False}) & ~Q(**{f"{name}_{default}": ""})
            empty = Q(**{f"{name}_{self.value()}__isnull": True}) | Q(
                **{f"{name}_{self.value()}": ""}
            )
            lacking |= english & empty
        return queryset.filter(lacking) if lacking else queryset


def _same_but_whitespace(before, after):
    if not isinstance(before, str) or not isinstance(after, str):
        return False
    return before.split() == after.split()


def _really_changed(form):
    """The form's changed fields but those whose text differs only by spaces or line
    endings (a textarea sends \\r\\n where the database keeps \\n)."""
    changed = []
    for name in form.changed_data:
        field = form.fields.get(name)
        if field is not None and name in getattr(form, "cleaned_data", {}):
            initial = form.get_initial_for_field(field, name)
            if _same_but_whitespace(initial, form.cleaned_data[name]):
                continue
        changed.append(name)
    return changed


def name_through_rows(*m2m_fields):
    """Delete confirmations list the rows linking two records (a resource to a topic)
    by the two records' names, not as "Resource_topics object (143)"."""

    def readable(row):
        return " – ".join(str(getattr(row, f.name)) for f in row._meta.fields if f.is_relation)

    for field in m2m_fields:
        through = field.remote_field.through
        if through._meta.auto_created:
            through.__str__ = readable


class CurationAdminMixin:
    """Change forms say which languages lack a text (a line above the form, and a mark
    on each language tab through static/js/admin-translation-state.js); "Save and
    continue editing" comes back on the language tab the editor was on; the history
    records only fields that really changed; lists can show a "Languages" column."""

    change_form_template = "admin/curation/change_form.html"

    class Media:
        js = ("js/admin-translation-state.js",)
        css = {"all": ("css/admin-curation.css",)}

    @admin.display(description=_("languages"))
    def languages(self, obj):
        missing = missing_translations(obj)
        complete = [code for code, _label in settings.LANGUAGES if code not in missing]
        if not missing:
            return " ".join(complete)
        return format_html(
            '{} <span class="translation-missing">{}</span>',
            " ".join(complete),
            _("missing: %(codes)s") % {"codes": " ".join(missing)},
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and _translated_fields(type(obj)):
            missing = missing_translations(obj)
            names = dict(settings.LANGUAGES)
            context["translation_missing"] = [str(names[code]) for code in missing]
            # The form fields' names (title_fr …) for the tabs' marks.
            context["translation_missing_fields"] = " ".join(
                f"{name}_{code}" for code, fields in missing.items() for name in fields
            )
        context["translation_tab"] = request.POST.get("_language_tab", "")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        tab = request.POST.get("_language_tab", "")
        if (
            "_continue" in request.POST
            and tab in dict(settings.LANGUAGES)
            and response.has_header("Location")
        ):
            response["Location"] = f"{response['Location'].split('#')[0]}#lang-{tab}"
        return response

    # changed_data is a cached property: filtered before anything saves, so the services
    # (which write what changed), the formsets and the history all see the real changes.
    def save_form(self, request, form, change):
        if change:
            form.__dict__["changed_data"] = _really_changed(form)
        return super().save_form(request, form, change)

    def save_related(self, request, form, formsets, change):
        for formset in formsets or ():
            for inline_form in formset.initial_forms:
                if hasattr(inline_form, "cleaned_data"):
                    inline_form.__dict__["changed_data"] = _really_changed(inline_form)
        super().save_related(request, form, formsets, change)


class RevisionsAdminMixin(VersionAdmin):
    """Earlier versions of a record (django-reversion): its History page lists them, newest
    first, with who saved each and when; one opens as a form to check and restore. Only
    what the admin saves is recorded (inside its revision); saves made by services and
    tasks elsewhere are not, which is fine: the history is the editors'.

    A restore is written in the audit trail as "Restored version of <date>"."""

    history_latest_first = True

    # The record as it stands once everything is saved, whether the admin saved it or a
    # service did for it (a service's queryset update sends no signal reversion hears).
    def response_add(self, request, obj, post_url_continue=None):
        if reversion.is_active():
            reversion.add_to_revision(obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if reversion.is_active():
            reversion.add_to_revision(obj)
        return super().response_change(request, obj)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            version = Version.objects.filter(pk=version_id).select_related("revision").first()
            obj = self.model._default_manager.filter(pk=unquote(object_id)).first()
            if version is not None and obj is not None:
                saved = timezone.localtime(version.revision.date_created)
                audit.record(
                    actor=request.user,
                    obj=obj,
                    message=f"Restored version of {saved:%Y-%m-%d %H:%M %Z}",
                )
        return response
