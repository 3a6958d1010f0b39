"""Starting content of the membership pages: the two kinds of membership.

The texts are data: one TOML file per tier in `members/content/`, named by its type (full,
associate), with each text in the four languages. Loaded by `manage.py
load_starting_content` (members.seed in its SEEDERS). A tier that exists is left alone, so
an editor's text is never overwritten.
"""

import tomllib
from pathlib import Path

from django.db import transaction

from common.languages import translated

from .models import MembershipTier, MembershipType

CONTENT = Path(__file__).resolve().parent / "content"

TIERS = sorted(
    (
        {"type": MembershipType(path.stem), **tomllib.loads(path.read_text(encoding="utf-8"))}
        for path in CONTENT.glob("*.toml")
    ),
    key=lambda data: data["order"],
)


@transaction.atomic
def load(stdout=None):
    for data in TIERS:
        tier, created = MembershipTier.objects.get_or_create(
            type=data["type"],
            defaults={
                "order": data["order"],
                **translated("title", data["title"]),
                **translated("summary", data["summary"]),
                **translated("criteria", data["criteria"]),
                **translated("commitments", data["commitments"]),
            },
        )
        if stdout is not None:
            stdout.write(f"Membership type {tier}: {'created' if created else 'kept as it is'}")
