"""Starting content of the initiatives: the nine CP AoR initiatives and their reference data.

The texts are data, in `initiatives/content/`: one TOML file per initiative, named by its
slug, with each text in the four languages side by side, and `vocabularies.toml` for the
themes, regions, countries and partners the initiatives and the library share. Translators
edit those files, not this module. Titles and summaries come in the four languages, longer
texts in English (the page shows them in English, marked as such, until translated).

Loaded by `manage.py load_starting_content`. Everything is looked up by slug (or ISO code)
and only created when missing: a second run changes nothing, and what an editor changed
in admin is never overwritten (nor is it by a later edit of the files).
"""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_countries import countries

from common.languages import translated

from .models import Country, Initiative, Partner, Region, Theme

CONTENT = Path(__file__).resolve().parent / "content"
VOCABULARIES = "vocabularies"
COUNTRY_REGIONS = "country_regions"


def read_content(path):
    return tomllib.loads(path.read_text(encoding="utf-8"))


def read_initiatives(folder=CONTENT):
    """Every initiative file as a dict with its slug (the file's name), in site order."""
    initiatives = [
        {"slug": path.stem, **read_content(path)}
        for path in folder.glob("*.toml")
        if path.stem not in (VOCABULARIES, COUNTRY_REGIONS)
    ]
    return sorted(initiatives, key=lambda data: (data["order"], data["slug"]))


_vocabularies = read_content(CONTENT / f"{VOCABULARIES}.toml")
THEMES = _vocabularies["themes"]
REGIONS = _vocabularies["regions"]
COUNTRIES = _vocabularies["countries"]
# ISO code -> region slug, for every country ISO 3166-1 lists.
COUNTRY_REGION = {
    code: region
    for region, codes in read_content(CONTENT / f"{COUNTRY_REGIONS}.toml").items()
    for code in codes
}
PARTNERS = _vocabularies["partners"]
INITIATIVES = read_initiatives()

# Related resources named by the starting content. The resources app owns resources and
# links these to their initiative when it loads its own starting content.
PENDING_RESOURCES = [
    {"initiative": data["slug"], **resource}
    for data in INITIATIVES
    for resource in data.get("pending_resources", [])
]


def load_named(model, data):
    """A named vocabulary (themes, regions, topics) by slug, in the given order; terms
    that exist are left as editors made them. Returns how many were created."""
    created = 0
    for order, (slug, names) in enumerate(data.items(), start=1):
        _obj, was_created = model.objects.get_or_create(
            slug=slug, defaults={"order": order, **translated("name", names)}
        )
        created += was_created
    return created


def load_partners(partners):
    """Partner organisations by slug; existing ones are left alone. Returns how many
    were created."""
    created = 0
    for slug, data in partners.items():
        _obj, was_created = Partner.objects.get_or_create(
            slug=slug,
            defaults={
                "website": data["website"],
                **translated("name", data["name"]),
                **translated("acronym", data.get("acronym", {})),
            },
        )
        created += was_created
    return created


def country_names(iso_code):
    """{language: name} of a country: vocabularies.toml's, else django-countries'."""
    if iso_code in COUNTRIES:
        return COUNTRIES[iso_code]["name"]
    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names[language] = str(countries.name(iso_code))
    return names


def _load_countries():
    """Every country of ISO 3166-1, so that an organisation anywhere can apply. A country
    that exists keeps its names, but a language it lacks is filled in."""
    created = 0
    regions = {region.slug: region for region in Region.objects.all()}
    existing = {country.iso_code: country for country in Country.objects.all()}
    for iso_code, region in COUNTRY_REGION.items():
        names = translated("name", country_names(iso_code))
        country = existing.get(iso_code)
        if country is None:
            Country.objects.create(iso_code=iso_code, region=regions[region], **names)
            created += 1
            continue
        missing = {field: name for field, name in names.items() if not getattr(country, field)}
        if missing:
            Country.objects.filter(pk=country.pk).update(**missing)
    return created


def _create_initiative(data):
    initiative = Initiative(
        slug=data["slug"],
        status=Initiative.Status.ACTIVE,
        is_published=True,
        is_featured=True,
        order=data["order"],
        start_date=data.get("start_date"),
        **translated("title", data["title"]),
        **translated("summary", data["summary"]),
        **translated("body", data.get("body", {})),
    )
    initiative.full_clean()  # sanitises the body, as admin does
    initiative.save()
    initiative.themes.set(Theme.objects.filter(slug__in=data["themes"]))
    initiative.regions.set(Region.objects.filter(slug__in=data["regions"]))
    initiative.countries.set(Country.objects.filter(iso_code__in=data.get("countries", [])))
    initiative.partners.set(Partner.objects.filter(slug__in=data.get("partners", [])))
    for position, objective in enumerate(data.get("objectives", []), start=1):
        aim = initiative.objectives.create(order=position, **translated("text", objective["text"]))
        for step_position, step in enumerate(objective.get("steps", []), start=1):
            initiative.objectives.create(
                parent=aim, order=step_position, **translated("text", step["text"])
            )
    for milestone in data.get("milestones", []):
        initiative.milestones.create(
            date=milestone["date"],
            precision=milestone["precision"],
            is_approximate=milestone.get("is_approximate", False),
            **translated("title", milestone["title"]),
            **translated("place", milestone.get("place", {})),
            **translated("description", milestone.get("description", {})),
        )
    for position, contact in enumerate(data.get("contacts", []), start=1):
        initiative.contacts.create(order=position, name=contact["name"])


def _fill(obj, field, texts):
    """Set field's translations that are empty on obj from texts ({language: text});
    True when any was. A text an editor wrote is never replaced."""
    missing = {
        name: text for name, text in translated(field, texts).items() if not getattr(obj, name, "")
    }
    for name, text in missing.items():
        setattr(obj, name, text)
    return bool(missing)


def _fill_translations(data):
    """An initiative loaded before its texts were translated gets the translations the
    files now have, wherever its own text in that language is still empty: its title,
    summary and body, and the objectives and milestones still as the files wrote them in
    English (an edited English text means an editor owns that row)."""
    initiative = Initiative.objects.get(slug=data["slug"])
    changed = [
        field
        for field in ("title", "summary", "body")
        if _fill(initiative, field, data.get(field, {}))
    ]
    if changed:
        initiative.full_clean()  # sanitises a body, as admin does
        initiative.save()
    rows = {
        (objective.parent_id is not None, objective.text_en): objective
        for objective in initiative.objectives.all()
    }
    for objective in data.get("objectives", []):
        texts = [(False, objective["text"])] + [
            (True, step["text"]) for step in objective.get("steps", [])
        ]
        for is_step, text in texts:
            row = rows.get((is_step, text.get("en")))
            if row is not None and _fill(row, "text", text):
                row.save()
    milestones = {(m.date, m.title_en): m for m in initiative.milestones.all()}
    for milestone in data.get("milestones", []):
        row = milestones.get((milestone["date"], milestone["title"].get("en")))
        if row is None:
            continue
        filled = [
            _fill(row, field, milestone.get(field, {}))
            for field in ("title", "place", "description")
        ]
        if any(filled):
            row.save()


@transaction.atomic
def load(stdout=None):
    themes = load_named(Theme, THEMES)
    regions = load_named(Region, REGIONS)
    countries = _load_countries()
    partners = load_partners(PARTNERS)
    existing = set(
        Initiative.objects.filter(slug__in=[data["slug"] for data in INITIATIVES]).values_list(
            "slug", flat=True
        )
    )
    initiatives = 0
    for data in INITIATIVES:
        if data["slug"] not in existing:
            _create_initiative(data)
            initiatives += 1
        else:
            _fill_translations(data)
    if stdout is not None:
        stdout.write(
            f"Initiatives: created {initiatives} initiatives, {themes} themes, {regions} "
            f"regions, {countries} countries and {partners} partners; kept the rest as they are"
        )
