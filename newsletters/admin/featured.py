"""The featured-resource picker of an issue, in its list's language: the titles readers
of that list will see, with English in place of a missing translation, marked as such.

Django's autocomplete asks the admin site's one search view, which names results as
str(resource) (the editor's own language); this picker asks a view of the issue admin
instead, which is given the list's language, and searches the titles in that language
and in English."""

from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Q
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from common.languages import shown_in_english

LANGUAGE_CODES = ("en", "fr", "es", "ar")


def title_in(resource, language):
    """The resource's title as readers of a list in `language` see it; "(in English)"
    when it has no title of its own in that language."""
    language = language if language in LANGUAGE_CODES else "en"
    title = getattr(resource, f"title_{language}", "") or resource.title_en or str(resource)
    if shown_in_english(resource, "title", language):
        return gettext("%(title)s (in English)") % {"title": title}
    return title


class FeaturedResourcesWidget(AutocompleteSelectMultiple):
    """Django's autocomplete pointing to the issue admin's view, with the language."""

    language = "en"

    def get_url(self):
        return (
            reverse(f"{self.admin_site.name}:newsletters_issue_featured_autocomplete")
            + "?"
            + urlencode({"language": self.language})
        )


class FeaturedAutocompleteView(AutocompleteJsonView):
    def get(self, request, *args, **kwargs):
        language = request.GET.get("language", "en")
        self.language = language if language in LANGUAGE_CODES else "en"
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        queryset = self.model_admin.get_queryset(self.request).complex_filter(
            self.source_field.get_limit_choices_to()
        )
        words = self.term.split()
        for word in words:
            queryset = queryset.filter(
                Q(title_en__icontains=word)
                | Q(**{f"title_{self.language}__icontains": word})
                | Q(slug__icontains=word)
            )
        return queryset.order_by("-pk")

    def serialize_result(self, obj, to_field_name):
        return {"id": str(getattr(obj, to_field_name)), "text": title_in(obj, self.language)}


class FeaturedMixin:
    """The issue admin's featured-resource picker and its search view."""

    def get_urls(self):
        view = FeaturedAutocompleteView.as_view(admin_site=self.admin_site)
        return [
            path(
                "featured/autocomplete/",
                self.admin_site.admin_view(view),
                name="newsletters_issue_featured_autocomplete",
            ),
            *super().get_urls(),
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "featured_resources":
            kwargs["widget"] = FeaturedResourcesWidget(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def show_in_language(form, language):
    """Names the form's featured resources, chosen or to choose, in `language`."""
    field = form.fields.get("featured_resources")
    if field is None:
        return
    language = language if language in LANGUAGE_CODES else "en"
    widget = getattr(field.widget, "widget", field.widget)
    if isinstance(widget, FeaturedResourcesWidget):
        widget.language = language
    field.label_from_instance = lambda resource: title_in(resource, language)
    field.help_text = gettext(
        "Titles as readers of this list see them, in %(language)s; “(in English)” marks a "
        "resource without a title in that language."
    ) % {"language": translation.get_language_info(language)["name_translated"]}
