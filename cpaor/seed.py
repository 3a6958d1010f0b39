"""Starting content of the site shell: the CP AoR strategy 2020-2024 and its goals.

Loaded by `manage.py load_starting_content`. A row that exists is left alone, so what an
editor changed in admin is never overwritten and a second run changes nothing.
"""

import tomllib
from pathlib import Path

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction

from common.languages import translated

from .models import Strategy

STRATEGY = Path(__file__).resolve().parent / "content" / "strategy.toml"


@transaction.atomic
def load(stdout=None):
    site = Site.objects.get(pk=settings.SITE_ID)
    domain = settings.SITE_URL.split("://", 1)[-1]
    if site.domain == "example.com":
        site.domain, site.name = domain, "CP AoR"
        site.save(update_fields=["domain", "name"])

    data = tomllib.loads(STRATEGY.read_text(encoding="utf-8"))
    strategy, created = Strategy.objects.get_or_create(
        start_year=data["start_year"],
        defaults={
            "end_year": data["end_year"],
            **translated("title", data["title"]),
            **translated("summary", data["summary"]),
        },
    )
    if created:
        for order, goal in enumerate(data["goals"], start=1):
            strategy.goals.create(order=order, **translated("text", goal))
    if stdout is not None:
        stdout.write(f"Strategy {strategy}: {'created' if created else 'kept as it is'}")
