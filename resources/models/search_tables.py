"""What the library is searched and counted by: tables the services and triggers write."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import (
    SearchVectorField,
)
from django.db import models


class SearchDocument(models.Model):
    """Everything a resource can be found by: titles (A), summaries (B) and the text of
    its files (C), each language with its own configuration.

    Kept apart from the resource, in a narrow table, so that a word found in most of the
    library is read from a few megabytes of rows rather than from every resource's
    titles and summaries; the vectors themselves are stored out of line. Besides the GIN
    index on the vector, migration 0005 makes two on its titles and on its titles and
    summaries, which rank the matches. Written by services.resources_update_search_vectors
    only."""

    resource = models.OneToOneField(
        "resources.Resource", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    vector = SearchVectorField()

    class Meta:
        indexes = [GinIndex(fields=["vector"], name="search_document")]

    def __str__(self):
        return f"search document of resource {self.resource_id}"


class LibraryGeneration(models.Model):
    """One row whose number moves, by trigger, with every committed change to what the
    facet index (index.py) holds: see migration 0005. Django never writes it."""

    generation = models.BigIntegerField(default=0)

    def __str__(self):
        return f"library generation {self.generation}"
