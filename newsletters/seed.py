"""Starting content of the newsletters: the Global Newsletter and the three regional ones.

The texts are data: one TOML file per list in `newsletters/content/`, named by its slug,
with its name and description in the four languages. Loaded by `manage.py
load_starting_content`; a list that exists (by slug) is left alone.
"""

import tomllib
from pathlib import Path

from django.db import transaction

from common.languages import translated

from .models import NewsletterList

CONTENT = Path(__file__).resolve().parent / "content"

LISTS = sorted(
    (
        {"slug": path.stem, **tomllib.loads(path.read_text(encoding="utf-8"))}
        for path in CONTENT.glob("*.toml")
    ),
    key=lambda data: (data["order"], data["slug"]),
)


@transaction.atomic
def load(stdout=None):
    created = 0
    for data in LISTS:
        _, was_created = NewsletterList.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "language": data["language"],
                "order": data["order"],
                **translated("name", data["name"]),
                **translated("description", data["description"]),
            },
        )
        created += was_created
    if stdout is not None:
        stdout.write(f"Newsletters: {created} list(s) created, {len(LISTS) - created} kept.")
