"""An issue's body is Markdown: one source gives the e-mail's HTML, its plain text and
the archive page. HTML bodies written before Markdown render as they did."""

import re

import pytest

from common.sanitize import sanitize_html
from newsletters.markdown import body_html, body_text, clean_source, image_snippet

IMAGE = "/media/newsletters/images/2026/12/children-1a2b3c4d.png"


def test_headings_start_under_the_subject_and_stay_in_the_allowed_levels():
    html = body_html("# Top\n\n## News\n\n###### Small print")
    assert html == "<h2>Top</h2>\n<h2>News</h2>\n<h4>Small print</h4>"
    assert body_text("## News\n\nA line.") == "News\n\nA line."


def test_lists_become_dashes_and_numbers_in_plain_text():
    source = "- one\n- two\n  1. first\n  2. second\n- three"
    assert "<ul>\n<li>one</li>" in body_html(source)
    assert body_text(source) == "- one\n- two\n   1. first\n   2. second\n- three"


def test_links_are_written_out_after_their_words():
    source = "Read [the report](https://example.org/report) or <https://example.org/x>."
    html = body_html(source)
    assert '<a href="https://example.org/report" rel="noopener noreferrer">the report</a>' in html
    text = body_text(source)
    assert text == "Read the report (https://example.org/report) or https://example.org/x."


def test_an_uploaded_image_shows_and_is_its_alt_text_in_plain_text():
    source = f"Before\n\n![Children at a learning centre]({IMAGE})"
    html = body_html(source)
    assert f'<img src="{IMAGE}" alt="Children at a learning centre">' in html
    assert body_text(source) == "Before\n\nChildren at a learning centre"


def test_an_image_from_elsewhere_is_left_out_and_reported():
    refused = []
    html = body_html("![pixel](https://tracker.example/p.gif)", refused)
    assert "tracker.example" not in html
    assert refused == ["https://tracker.example/p.gif"]


def test_a_table_keeps_its_cells_without_inline_styles():
    source = "| Country | Children |\n|:--|--:|\n| Sudan | 120 |\n| Chad | 45 |"
    html = body_html(source)
    assert '<th scope="col">Country</th>' in html
    assert "<td>120</td>" in html
    assert "style=" not in html
    assert body_text(source) == "Country | Children\nSudan | 120\nChad | 45"


def test_strikethrough_and_emphasis():
    assert body_html("~~old~~ **new** *now*") == (
        "<p><s>old</s> <strong>new</strong> <em>now</em></p>"
    )


def test_arabic_text_keeps_its_words_and_marks():
    source = "## أخبار\n\nنشرة **حماية الطفل** في [المنطقة](https://example.org/ar)."
    html = body_html(source)
    assert "<h2>أخبار</h2>" in html
    assert "<strong>حماية الطفل</strong>" in html
    assert body_text(source) == "أخبار\n\nنشرة حماية الطفل في المنطقة (https://example.org/ar)."


def test_raw_html_is_allowed_but_scripts_and_handlers_are_removed():
    source = (
        'Hello <b onclick="steal()">there</b><script>alert(1)</script>\n\n'
        "<div><img src=x onerror=alert(1)></div>"
    )
    html = body_html(source)
    assert "<script" not in html and "alert" not in html
    assert "onclick" not in html and "onerror" not in html
    assert "<b>there</b>" in html


def test_javascript_links_lose_their_address():
    html = body_html('[click](javascript:alert(1)) <a href="javascript:alert(2)">x</a>')
    assert "href" not in html


@pytest.mark.parametrize(
    "old",
    [
        '<p>News from the <a href="/en/initiatives/">initiatives</a>.</p>',
        "<h2>March</h2>\n<p>First line<br>second line</p>\n<ul>\n<li>One</li>\n<li>Two</li>\n</ul>",
        "<p>أخبار مجال المسؤولية عن حماية الطفل.</p>",
        "<p>Before</p><p>.hidden line stays</p>",
        "<blockquote><p>A quote with *stars* and _underscores_</p></blockquote>",
        '<ol start="3">\n    <li>Indented</li>\n\n    <li>After a blank line</li>\n</ol>',
    ],
)
def test_an_html_body_from_before_markdown_renders_as_it_did(old):
    """Bodies were stored sanitised; Markdown must not change what they show (a blank
    line between two tags shows nothing either way)."""
    assert between_tags(body_html(old)) == between_tags(sanitize_html(old))


def between_tags(html):
    return re.sub(r">\s+<", "><", html)


def test_saving_cleans_the_raw_html_blocks_of_the_source():
    assert clean_source('<p onclick="x()">Hello<script>alert(1)</script></p>') == "<p>Hello</p>"
    source = "## Title\r\n\r\nSome *Markdown*\r\n"
    assert clean_source(source) == "## Title\n\nSome *Markdown*"


def test_a_snippet_escapes_brackets_in_the_alt_text():
    assert image_snippet("A [draft] map", IMAGE) == f"![A \\[draft\\] map]({IMAGE})"
    assert body_html(image_snippet("A [draft] map", IMAGE)) == (
        f'<p><img src="{IMAGE}" alt="A [draft] map"></p>'
    )
