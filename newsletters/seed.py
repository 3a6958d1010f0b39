"""Starting content of the newsletters: the Global Newsletter and the three regional ones.

Loaded by `manage.py load_starting_content`; a list that exists (by slug) is left alone.
"""

from django.db import transaction

from cpaor.seed import translated

from .models import NewsletterList

LISTS = [
    {
        "slug": "global",
        "language": "en",
        "order": 1,
        "name": {
            "en": "Global Newsletter",
            "fr": "Lettre d’information mondiale",
            "es": "Boletín mundial",
            "ar": "النشرة الإخبارية العالمية",
        },
        "description": {
            "en": "News of the Global CP AoR, its initiatives and new resources, in English.",
            "fr": "Les nouvelles du domaine de responsabilité mondial, ses initiatives et ses "
            "nouvelles ressources, en anglais.",
            "es": "Noticias del AdR global, sus iniciativas y nuevos recursos, en inglés.",
            "ar": "أخبار مجال المسؤولية العالمي ومبادراته وموارده الجديدة، باللغة الإنجليزية.",
        },
    },
    {
        "slug": "regional-arabic",
        "language": "ar",
        "order": 2,
        "name": {
            "en": "Regional Newsletter in Arabic",
            "fr": "Lettre d’information régionale en arabe",
            "es": "Boletín regional en árabe",
            "ar": "النشرة الإخبارية الإقليمية باللغة العربية",
        },
        "description": {"en": "Regional news for Arabic-speaking coordinators, in Arabic."},
    },
    {
        "slug": "regional-french",
        "language": "fr",
        "order": 3,
        "name": {
            "en": "Regional Newsletter in French",
            "fr": "Lettre d’information régionale en français",
            "es": "Boletín regional en francés",
            "ar": "النشرة الإخبارية الإقليمية باللغة الفرنسية",
        },
        "description": {"en": "Regional news for French-speaking coordinators, in French."},
    },
    {
        "slug": "regional-spanish",
        "language": "es",
        "order": 4,
        "name": {
            "en": "Regional Newsletter in Spanish",
            "fr": "Lettre d’information régionale en espagnol",
            "es": "Boletín regional en español",
            "ar": "النشرة الإخبارية الإقليمية باللغة الإسبانية",
        },
        "description": {"en": "Regional news for Spanish-speaking coordinators, in Spanish."},
    },
]


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
