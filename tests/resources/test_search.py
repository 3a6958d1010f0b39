import pytest

from resources.models import MARK_START, Resource
from resources.services import resource_update_search_vector

from .factories import ResourceFactory, VersionFactory

pytestmark = pytest.mark.django_db


def titles(queryset):
    return [resource.title for resource in queryset]


def test_accents_never_decide_a_match():
    ResourceFactory(title_en="Guía de localización", title_es="Guía de localización")
    assert titles(Resource.objects.search("localizacion", "es")) == ["Guía de localización"]
    assert titles(Resource.objects.search("LOCALIZACIÓN", "en")) == ["Guía de localización"]


def test_a_french_word_finds_its_other_forms():
    ResourceFactory(title_en="Child protection", title_fr="Protection des enfants")
    assert titles(Resource.objects.search("enfant", "fr")) == ["Child protection"]


def test_title_matches_rank_above_summary_matches_above_file_text():
    in_text = VersionFactory(resource__title_en="Third").resource
    in_text.versions.update(extracted_text="a long passage about localisation")
    resource_update_search_vector(in_text.pk)
    ResourceFactory(title_en="Second", summary_en="Notes on localisation in practice")
    ResourceFactory(title_en="First: localisation")
    ResourceFactory(title_en="Unrelated")
    found = Resource.objects.search("localisation", "en").order_by("-rank")
    assert titles(found) == ["First: localisation", "Second", "Third"]


def test_snippets_mark_the_matching_words_and_never_carry_markup():
    ResourceFactory(summary_en="<b>Bold</b> guidance on case management for coordinators.")
    (result,) = Resource.objects.search("case management", "en")
    assert f"{MARK_START}case" in result.snippet
    assert "<b>" not in result.snippet


def test_arabic_titles_are_searchable():
    ResourceFactory(title_en="Child protection", title_ar="حماية الطفل")
    assert titles(Resource.objects.search("الطفل", "ar")) == ["Child protection"]


def test_file_text_in_each_language_is_searched():
    version = VersionFactory(language="fr", resource__title_en="Field guide")
    version.extracted_text = "Les enfants non accompagnés"
    version.save()
    resource_update_search_vector(version.resource_id)
    assert titles(Resource.objects.search("accompagne", "fr")) == ["Field guide"]


def test_a_snippet_shows_the_passage_of_the_file_that_matches():
    version = VersionFactory(resource__summary_en="A summary.")
    version.extracted_text = (
        "Chapter one. " * 50 + "Reunification of separated children. " + "x " * 50
    )
    version.save()
    resource_update_search_vector(version.resource_id)
    (result,) = Resource.objects.search("reunification", "en")
    assert f"{MARK_START}Reunification" in result.snippet


def test_a_snippet_has_no_dangling_separator_without_file_text():
    ResourceFactory(summary_en="Guidance on reunification.")
    (result,) = Resource.objects.search("reunification", "en")
    assert "…" not in result.snippet
