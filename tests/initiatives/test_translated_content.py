"""The starting content reads in the reader's language: a coordinator on /fr/, /es/ or /ar/
should not find an initiative's page mostly in English.

How much of a page is English is estimated from English function words, which occur in
any English prose at a steady rate and never as words of French, Spanish or Arabic: the
share of them among the words of a page's <main>, divided by their share on the English
page, is about the share of the page that is still in English. A fully translated page
scores near 0 (a document's English title may remain), an untranslated one near 1.
"""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.html import escape

from initiatives.models import Initiative
from newsletters.models import NewsletterList

pytestmark = pytest.mark.django_db

GLE = "government-leadership-engagement"
TRANSLATED = ("fr", "es", "ar")
MOST_ENGLISH = 0.10

# Common English words that are not words of French or Spanish (so not "on", "or", "as",
# "an", "but", "in", "a", "has", "can", which are) and, in Latin script, none of Arabic.
# fmt: off
ENGLISH_ONLY = frozenset({
    "the", "and", "of", "to", "for", "with", "by", "from", "at", "into", "that", "this",
    "these", "those", "which", "who", "whose", "their", "its", "is", "was", "were", "be",
    "been", "being", "have", "had", "would", "should", "will", "could", "also",
    "than", "other", "more", "each", "they", "them", "it", "we", "our", "you", "your", "not",
})
# fmt: on
WORD = re.compile(r"[^\W\d_]+")


class MainText(HTMLParser):
    """The text inside <main>, as a reader (or a screen reader) gets it."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.parts = []

    def handle_starttag(self, tag, attrs):
        self.inside = self.inside or tag == "main"

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "main"

    def handle_data(self, data):
        if self.inside:
            self.parts.append(data)


def main_words(response):
    assert response.status_code == 200
    parser = MainText()
    parser.feed(response.content.decode())
    text = " ".join(parser.parts)
    assert text.strip(), "the page has no <main> content"
    return WORD.findall(text.lower())


def english_marker_share(words):
    return sum(word in ENGLISH_ONLY for word in words) / len(words)


def page(client, initiative, language):
    with translation.override(language):
        url = initiative.get_absolute_url()
    return client.get(url)


def english_share(client, initiative, language):
    """About how much of the page in the language is English (0 to 1)."""
    english = english_marker_share(main_words(page(client, initiative, "en")))
    # Every seeded page has enough English prose to calibrate against.
    assert english > 0.05, initiative.slug
    return english_marker_share(main_words(page(client, initiative, language))) / english


@pytest.fixture
def starting_content():
    """The content a new site starts with, as production loads it (no demo resources)."""
    call_command("load_starting_content", "--no-demo", stdout=io.StringIO())


@pytest.mark.parametrize("language", TRANSLATED)
def test_government_leadership_page_reads_in_the_language(client, starting_content, language):
    gle = Initiative.objects.get(slug=GLE)
    share = english_share(client, gle, language)
    assert share <= MOST_ENGLISH, f"/{language}/ page is about {share:.0%} English"
    # Body, aims and milestones come in the language: no "shown in English" notice.
    assert "fallback-notice" not in page(client, gle, language).content.decode()


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_measure_catches_a_page_left_in_english(client, starting_content, language):
    """The Government Leadership page as it was before its translation (title and
    summary only) fails the measure, so a passing page is not an accident of it."""
    gle = Initiative.objects.get(slug=GLE)
    Initiative.objects.filter(pk=gle.pk).update(**{f"body_{language}": ""})
    gle.objectives.update(**{f"text_{language}": ""})
    gle.milestones.update(
        **{f"{field}_{language}": "" for field in ("title", "place", "description")}
    )
    assert english_share(client, gle, language) > MOST_ENGLISH


def test_every_initiative_page_reads_in_each_language(client, starting_content):
    shares = {
        (initiative.slug, language): english_share(client, initiative, language)
        for initiative in Initiative.objects.published()
        for language in TRANSLATED
    }
    assert len(shares) == 9 * len(TRANSLATED)
    over = {key: f"{share:.0%}" for key, share in shares.items() if share > MOST_ENGLISH}
    assert not over, f"pages more than {MOST_ENGLISH:.0%} English: {over}"


def test_newsletter_lists_are_described_in_the_readers_language(client, starting_content):
    lists = NewsletterList.objects.all()
    assert lists.count() == 4
    for language in TRANSLATED:
        response = client.get(f"/{language}/newsletters/")
        assert response.status_code == 200
        for newsletter in lists:
            description = getattr(newsletter, f"description_{language}")
            assert description, (newsletter.slug, language)
            assert description != newsletter.description_en
            assert escape(description) in response.content.decode()
