"""Template mistakes a reader would see: Django's {# #} comments end at the line's end,
so one that spans lines is printed on the page as it is written."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_has_a_comment_spanning_lines():
    templates = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("*/templates/**/*.html"),
        *ROOT.glob("templates/**/*.txt"),
        *ROOT.glob("*/templates/**/*.txt"),
    ]
    assert len(templates) > 50
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert unclosed == []


@pytest.mark.django_db
def test_the_home_page_shows_no_template_syntax(client):
    page = client.get("/en/").content.decode()
    assert "{#" not in page and "{%" not in page
