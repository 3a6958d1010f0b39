"""The lexicon of frequent words is brought up to date with the changed documents alone
(resources/lexicon.py, migration 0011), and answers as Postgres does after each change."""

import numpy as np
import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from resources import index, lexicon
from resources.models import Resource, SearchDocument
from resources.services import resource_update_search_vector

from .factories import LinkVersionFactory, ResourceFactory
from .test_search import frequent_library, page

pytestmark = pytest.mark.django_db(transaction=True)
SEARCHES = [
    {"q": "protection"},
    {"q": "protection", "sort": "newest", "type": "report"},
    {"q": "protection coordination"},
    {"q": "protection or field", "sort": "title"},
]


@pytest.fixture
def in_memory(client, monkeypatch):
    """A small library whose lexicon holds "protect", read whole."""
    frequent_library()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE resources_searchdocument")
    monkeypatch.setattr(lexicon, "LEXICON_FROM", 1)
    monkeypatch.setattr(lexicon, "FREQUENT", 0.5)
    monkeypatch.setattr(lexicon, "PATCH_SHARE", 0.5)
    monkeypatch.setattr(lexicon, "_current", None)
    return refreshed(client)


def refreshed(client):
    """The lexicon after the next page has set its reading off and it has ended."""
    index.forget_searches()
    page(client, {"q": "protection"})
    lexicon.wait()
    index.forget_searches()
    return lexicon._current


def answers(client, monkeypatch):
    """The searches' pages from the lexicon, then from Postgres alone."""
    from_lexicon = [page(client, params) for params in SEARCHES]
    index.forget_searches()
    with monkeypatch.context() as patch:
        patch.setattr(lexicon, "LEXICON_FROM", 10**9)
        from_postgres = [page(client, params) for params in SEARCHES]
    index.forget_searches()
    return from_lexicon, from_postgres


def read_whole():
    with transaction.atomic(), connection.cursor() as cursor:
        return lexicon._read(cursor, None, "")


def same_bits(patched, whole):
    """Every lexeme of both, over the ids both cover: the same three bitmaps."""
    size = min(patched.size, whole.size)
    for lexeme in set(patched.bitmaps) & set(whole.bitmaps):
        for which in range(3):
            left = np.unpackbits(patched.bitmaps[lexeme][which], count=size)
            right = np.unpackbits(whole.bitmaps[lexeme][which], count=size)
            assert np.array_equal(left, right), (lexeme, which)
    return True


def test_changed_documents_alone_are_read_again_and_answer_as_postgres(
    client, monkeypatch, in_memory
):
    first = in_memory
    assert first is not None and first.patched == 0 and "protect" in first.words

    # A title gains the word, a file's text loses it, a new resource holds it in its
    # summary (beyond the bitmaps' width) and a resource that held it is deleted.
    gains = Resource.objects.get(title_en="Guide 1")
    gains.title_en = "Guide 1 to protection"
    gains.save()
    resource_update_search_vector(gains.pk)
    loses = Resource.objects.get(title_en="Guide 2").versions.get()
    loses.extracted_text = "Field work."
    loses.save()
    resource_update_search_vector(loses.resource_id)
    added = ResourceFactory(title_en="Newcomer", summary_en="Child protection at last.")
    resource_update_search_vector(added.pk)
    Resource.objects.get(title_en="Guide 4 on protection").delete()

    # The page after the changes is answered by Postgres, holding all of them.
    count, found, _types = page(client, {"q": "protection"})
    assert "Guide 1 to protection" in found and "Newcomer" in found
    assert "Guide 2" not in found and "Guide 4 on protection" not in found
    lexicon.wait()
    second = lexicon._current
    assert second.searched != first.searched
    assert 4 <= second.patched <= 6  # the changed documents, not the 24 of the library
    assert second.size > first.size and second.snapshot != first.snapshot
    assert same_bits(second, read_whole())
    # The first lexicon, which pages may still be reading, is left as it was.
    assert not np.unpackbits(first.bitmaps["protect"][lexicon.TITLES])[gains.pk]

    from_lexicon, from_postgres = answers(client, monkeypatch)
    assert lexicon._current is second
    assert from_lexicon == from_postgres
    assert from_lexicon[0][0] == count


def test_a_change_committed_after_the_last_patch_began_is_read_at_the_next(
    client, monkeypatch, in_memory
):
    quiet = Resource.objects.get(title_en="Guide 3")
    assert not lexicon._current.mask(("lexeme", "protect"), lexicon.MATCHES, [quiet.pk])[0]
    db = settings.DATABASES["default"]
    dsn = psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
    )  # fmt: skip
    with psycopg.connect(dsn) as other:
        # Another transaction gives Guide 3 the word and stays open while a change of
        # its own is patched in: the patch's snapshot cannot see the open one.
        other.execute(
            "UPDATE resources_searchdocument SET vector = vector || "
            "to_tsvector('english', 'protection') WHERE resource_id = %s",
            [quiet.pk],
        )
        LinkVersionFactory(resource__title_en="Unrelated", resource__summary_en="Water.")
        resource_update_search_vector(Resource.objects.get(title_en="Unrelated").pk)
        patched = refreshed(client)
        assert patched.patched >= 1
        assert not patched.mask(("lexeme", "protect"), lexicon.MATCHES, [quiet.pk])[0]
        other.commit()

    after = refreshed(client)
    assert after is not patched and after.patched > patched.patched
    assert after.mask(("lexeme", "protect"), lexicon.MATCHES, [quiet.pk])[0]
    assert same_bits(after, read_whole())
    from_lexicon, from_postgres = answers(client, monkeypatch)
    assert from_lexicon == from_postgres and "Guide 3" in from_lexicon[0][1]


def test_too_many_changes_or_a_truncate_mean_a_whole_read(client, monkeypatch, in_memory):
    monkeypatch.setattr(lexicon, "PATCH_SHARE", 0.01)
    resource = Resource.objects.get(title_en="Guide 5")
    resource.summary_en = "Protection, now."
    resource.save()
    resource_update_search_vector(resource.pk)
    assert refreshed(client).patched == 0  # one change in 24 documents is over 1 %: read whole

    monkeypatch.setattr(lexicon, "PATCH_SHARE", 0.5)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SearchDocument._meta.db_table}")
    for pk in Resource.objects.values_list("pk", flat=True):
        resource_update_search_vector(pk)
    whole = refreshed(client)
    assert whole.patched == 0 and same_bits(whole, read_whole())
    from_lexicon, from_postgres = answers(client, monkeypatch)
    assert from_lexicon == from_postgres
