"""Starting content of the resource library.

The texts are data, in `resources/content/`: `resources.toml` (the publishers and the
resources the CP AoR's pages name, in the four languages) and `demo.toml` (the words the
demo resources are made of). Loaded by `manage.py load_starting_content`, after the
initiatives:

- the topics (the CP AoR's themes, as the library's taxonomy);
- the two resources the CP AoR's pages name: the Inter-Agency Toolkit on Localisation in
  Humanitarian Coordination (a key resource) and "Engaging with States in Conflict
  Settings…" (2019), each linked to its initiative;
- unless told not to (`--no-demo`, or CPAOR_DEMO_CONTENT=0), generated DEMO resources, so
  the facets have something to count. Each is flagged `is_demo` (a filter and a column in
  admin), its slug starts with "demo-" and its title with "[Demo]" in every language;
  their links point to example.org. `--remove-demo` deletes them again.

A resource that exists (looked up by slug) is left alone, so a second run changes
nothing and what a curator changed in admin is never overwritten.

The two real resources come without a language version: a version needs a file or a
link, and the starting content has neither. The page shows the resource with its
citation and "not yet available here" until a curator attaches the PDF, whose page
count (6 for "Engaging with States") is then read from the file; until then the summary
says it.
"""

import datetime
import random
import tomllib
from pathlib import Path

from django.db import transaction

from common.languages import translated
from initiatives.models import Country, Initiative, Partner, Region
from initiatives.seed import PENDING_RESOURCES, THEMES, load_named, load_partners

from . import services
from .models import Resource, Topic

CONTENT = Path(__file__).resolve().parent / "content"


def read_content(name):
    return tomllib.loads((CONTENT / f"{name}.toml").read_text(encoding="utf-8"))


def _with_initiatives_facts(data):
    """A resource an initiative names takes its title, year and initiative from there."""
    named = {resource["slug"]: resource for resource in PENDING_RESOURCES}.get(data["slug"])
    if named is None:
        return data
    return {
        "title": {"en": named["title"]},
        "year": named["year"],
        "initiatives": [named["initiative"]],
        **data,
    }


TOPICS = THEMES
_library = read_content("resources")
PARTNERS = _library["partners"]
RESOURCES = [_with_initiatives_facts(data) for data in _library["resources"]]

DEMO_COUNT = 72
_demo = read_content("demo")
DEMO_PREFIX = _demo["prefix"]
DEMO_SUMMARY = _demo["summary"]
# (kind of document, in each language) × (subject, in each language, with its topic).
DEMO_KINDS = [(kind["type"], kind["name"]) for kind in _demo["kinds"]]
DEMO_SUBJECTS = [(subject["topic"], subject["name"]) for subject in _demo["subjects"]]
DEMO_LANGUAGE_SETS = _demo["language_sets"]


def _lookups():
    """{relation: {slug or code: id}}, read once for every resource the seed creates."""
    return {
        "topics": dict(Topic.objects.values_list("slug", "pk")),
        "initiatives": dict(Initiative.objects.values_list("slug", "pk")),
        "publishers": dict(Partner.objects.values_list("slug", "pk")),
        "regions": dict(Region.objects.values_list("slug", "pk")),
        "countries": dict(Country.objects.values_list("iso_code", "pk")),
    }


def _create(data, lookups):
    year = data.get("year")
    precision = data.get("precision", Resource.Precision.YEAR)
    month = 1 if precision == Resource.Precision.YEAR else data.get("month", 1)
    resource = services.resource_create(
        actor=None,
        values={
            "slug": data["slug"],
            **translated("title", data["title"]),
            **translated("summary", data["summary"]),
            "type": data["type"],
            "publication_date": datetime.date(year, month, 1) if year else None,
            "publication_precision": precision,
            "is_key": data["is_key"],
            "is_demo": data.get("is_demo", False),
            "status": Resource.Status.PUBLISHED,
        },
        relations={
            name: [table[key] for key in data.get(name, []) if key in table]
            for name, table in lookups.items()
        },
        links=[
            services.Link(language, url, page_count=data.get("pages"))
            for language, url in data.get("links", {}).items()
        ],
        reindex=False,
    )
    return resource.pk


def demo_resources():
    """DEMO_COUNT generated resources; the same every time (a fixed random seed)."""
    rng = random.Random(4)
    initiatives = [
        "mhpss",
        "child-protection-food-security",
        "cp-eie",
        "preventing-violence-against-children",
        "niaf",
        "dtm-children-on-the-move",
        "government-leadership-engagement",
        "casi",
        "child-protection-mine-action",
    ]
    regions = [
        "global",
        "east-asia-pacific",
        "west-central-africa",
        "eastern-southern-africa",
        "middle-east-north-africa",
        "latin-america-caribbean",
        "europe-central-asia",
        "south-asia",
    ]
    publishers = ["ifrc", "unicef", "iom", "end-violence", "global-cp-aor"]
    resources = []
    for number in range(1, DEMO_COUNT + 1):
        kind, kind_names = DEMO_KINDS[number % len(DEMO_KINDS)]
        topic, subject = DEMO_SUBJECTS[number % len(DEMO_SUBJECTS)]
        languages = DEMO_LANGUAGE_SETS[number % len(DEMO_LANGUAGE_SETS)]
        title = {
            code: f"{DEMO_PREFIX[code]}{kind_names[code]}: {subject[code]}"
            for code in {"en", *languages}
        }
        summary = {
            code: DEMO_SUMMARY[code].format(kind=kind_names[code].lower(), subject=subject[code])
            for code in title
        }
        slug = f"demo-{number:03d}"
        extra_topic = DEMO_SUBJECTS[rng.randrange(len(DEMO_SUBJECTS))][0]
        resources.append(
            {
                "slug": slug,
                "title": title,
                "summary": summary,
                "type": kind,
                "topics": sorted({topic, extra_topic}),
                "initiatives": rng.sample(initiatives, rng.choice([0, 1, 1, 2])),
                "regions": rng.sample(regions, rng.choice([1, 1, 2])),
                "countries": rng.choice([[], [], ["KE"], ["ET"]]),
                "publishers": rng.sample(publishers, rng.choice([1, 2])),
                "year": 2015 + number % 10,
                "month": rng.randint(1, 12),
                "precision": rng.choice(list(Resource.Precision.values)),
                "is_key": number % 12 == 0,
                "is_demo": True,
                "pages": rng.choice([None, 2, 6, 12, 48, 120]),
                "links": {
                    code: f"https://example.org/cpaor-demo/{slug}-{code}.pdf" for code in languages
                },
            }
        )
    return resources


def remove_demo():
    """Delete the demo resources (their versions and links go with them); how many."""
    demo = Resource.objects.filter(is_demo=True)
    count = demo.count()
    demo.delete()
    return count


@transaction.atomic
def load(stdout=None, demo=True):
    topics = load_named(Topic, TOPICS)
    partners = load_partners(PARTNERS)
    wanted = RESOURCES + (demo_resources() if demo else [])
    existing = set(
        Resource.objects.filter(slug__in=[data["slug"] for data in wanted]).values_list(
            "slug", flat=True
        )
    )
    lookups = _lookups()
    created = [_create(data, lookups) for data in wanted if data["slug"] not in existing]
    if created:
        services.resources_update_search_vectors(created)
    if stdout is not None:
        demo_note = "including demo resources" if demo else "without demo resources"
        stdout.write(
            f"Resources: created {len(created)} resources ({demo_note}), {topics} topics and "
            f"{partners} partners; kept the rest as they are"
        )
