import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources import filters, index, lexicon
from resources.filters import search
from resources.models import MARK_START, Resource
from resources.services import resource_update_search_vector

from .factories import LinkVersionFactory, ResourceFactory, VersionFactory

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


def snippet_of_file(text, words, language="en", version_language="en"):
    version = VersionFactory(resource__summary_en="A summary.", language=version_language)
    version.extracted_text = text
    version.save()
    resource_update_search_vector(version.resource_id)
    (result,) = Resource.objects.search(words, language)
    return result.snippet


def test_a_snippet_finds_its_passage_deep_in_a_long_file():
    snippet = snippet_of_file(
        "Chapter one. " * 1_000 + "Reunification of separated children. " + "Annex. " * 500,
        "reunification",
    )
    assert f"{MARK_START}Reunification" in snippet
    assert len(snippet) < 800  # a passage, not the pages before it


def test_a_snippet_passage_is_found_whatever_the_accents_and_prefixes():
    french = snippet_of_file(
        "Introduction générale. " * 300 + "Évaluation des besoins des enfants. ",
        "evaluation",
        "fr",
        "fr",
    )
    assert f"{MARK_START}Évaluation" in french
    arabic = snippet_of_file(
        "مقدمة عامة. " * 800 + "إدارة الحالات للأطفال. ", "الحالات", "ar", "ar"
    )
    assert f"{MARK_START}الحالات" in arabic


def test_a_word_inside_another_does_not_move_the_passage():
    # "cas" starts no word before "cas sensibles": "occasion" and "décasyllabe" hold it.
    snippet = snippet_of_file(
        "occasion décasyllabe " * 300 + "Les cas sensibles. " + "fin " * 300, "cas", "fr", "fr"
    )
    assert f"{MARK_START}cas" in snippet


def test_a_snippet_has_no_dangling_separator_without_file_text():
    ResourceFactory(summary_en="Guidance on reunification.")
    (result,) = Resource.objects.search("reunification", "en")
    assert "…" not in result.snippet


# The frequent words' lexicon (resources/lexicon.py): answered in memory, the same as
# Postgres answers.
LIST = "/en/resources/"


def page(client, params):
    """What a reader sees of a search: the count, the titles in order, the counts of the
    type facet."""
    response = client.get(LIST, params)
    assert response.status_code == 200
    types = {choice["value"]: choice["count"] for choice in response.context["facets"]["type"]}
    return response.context["paginator"].count, titles(response.context["resources"]), types


def frequent_library():
    """Resources holding "protection" in their titles, summaries or only in their file's
    text (so in each tier), "coordination" in some, and a few holding neither."""
    for n in range(24):
        version = LinkVersionFactory(
            resource__title_en=f"Guide {n}" + (" on protection" if n % 4 == 0 else ""),
            resource__summary_en="Coordination notes." + (" Protection." if n % 4 == 1 else ""),
            resource__type="report" if n % 3 else "toolkit",
            resource__publication_date=datetime.date(2000 + n, 1, 1),
        )
        version.extracted_text = "Field work." + (" protection of children" if n % 4 == 2 else "")
        version.save()
        resource_update_search_vector(version.resource_id)


@pytest.mark.django_db(transaction=True)
def test_frequent_words_answered_in_memory_find_rank_and_count_as_postgres_does(
    client, monkeypatch
):
    frequent_library()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE resources_searchdocument")
    searches = [
        {"q": "protection"},
        {"q": "protection", "sort": "newest", "type": "report"},
        {"q": "protection coordination"},
        {"q": "protection or field", "sort": "title"},
        {"q": "protection -guide"},  # a negation: Postgres answers
        {"q": "protection children"},  # "children" is rare: Postgres answers
    ]
    # Ranked by their documents (a few results), and by every document's tiers (many).
    for tier_directly in (500, 0):
        monkeypatch.setattr(filters, "TIER_DIRECTLY", tier_directly)
        monkeypatch.setattr(lexicon, "LEXICON_FROM", 10**9)
        in_postgres = [page(client, params) for params in searches]
        monkeypatch.setattr(lexicon, "LEXICON_FROM", 1)
        monkeypatch.setattr(lexicon, "FREQUENT", 0.5)
        page(client, searches[0])  # Postgres answers while the lexicon is read
        lexicon.wait()
        index.forget_searches()  # or the searches above would be remembered
        assert [page(client, params) for params in searches] == in_postgres
        index.forget_searches()
    assert in_postgres[0][0] == 18
    assert in_postgres[0][1][:6] == [f"Guide {n} on protection" for n in (20, 16, 12, 8, 4, 0)]
    assert "protect" in lexicon._current.words and "children" not in lexicon._current.words
    # Postgres read only the lexeme the lexicon lacks (the unstemmed form, of no document).
    query, matches, _titles, more = search("protection", lexicon=lexicon._current)
    assert matches is None and "'protect'" in query
    assert list(more) == ["protection"] and not more["protection"][0].size

    # A changed document is seen at once: its generation moved, so Postgres answers
    # while the lexicon is read again, outside the request.
    before = lexicon._current
    resource = Resource.objects.get(title_en="Guide 3")
    resource.summary_en = "Protection at last."
    resource.save()
    resource_update_search_vector(resource.pk)
    with CaptureQueriesContext(connection) as queries:
        count, found, _types = page(client, {"q": "protection"})
    assert count == 19 and "Guide 3" in found
    assert not any("most_common_elems" in query["sql"] for query in queries)
    lexicon.wait()
    assert lexicon._current is not before and lexicon._current.searched > before.searched
    index.forget_searches()
    count, found, _types = page(client, {"q": "protection"})  # from the new bitmaps
    assert count == 19 and "Guide 3" in found
    assert lexicon.lexicon(index.library_state()[1], 24) is lexicon._current


def test_a_query_is_read_as_the_lexicon_can_answer_it_or_not_at_all():
    assert lexicon.parse("'protect' | 'protection' & ( 'a' | 'b''s' )") == (
        "or",
        [
            ("lexeme", "protect"),
            ("and", [("lexeme", "protection"), ("or", [("lexeme", "a"), ("lexeme", "b's")])]),
        ],
    )
    for unanswerable in ["", "!'a'", "'a' <-> 'b'", "'a':*", "'a':AB", "'a' &", "( 'a'"]:
        assert lexicon.parse(unanswerable) is None
