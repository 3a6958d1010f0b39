"""Starting content of the resource library.

Loaded by `manage.py load_starting_content`, after the initiatives:

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

from django.db import transaction
from django.utils import timezone

from cpaor.seed import translated
from initiatives.models import Country, Initiative, Partner, Region
from initiatives.seed import PENDING_RESOURCES, THEMES, load_named, load_partners

from .models import Resource, ResourceVersion, Topic
from .services import resources_update_search_vectors

TOPICS = THEMES

PARTNERS = {
    "global-cp-aor": {
        "name": {
            "en": "Global Child Protection Area of Responsibility",
            "fr": "Domaine de responsabilité mondial Protection de l’enfance",
            "es": "Área de Responsabilidad Global de Protección de la Niñez",
            "ar": "مجال المسؤولية العالمي لحماية الطفل",
        },
        "acronym": {"en": "CP AoR"},
        "website": "https://www.cpaor.net/",
    },
    "global-education-cluster": {
        "name": {
            "en": "Global Education Cluster",
            "fr": "Cluster Éducation mondial",
            "es": "Clúster Global de Educación",
            "ar": "مجموعة التعليم العالمية",
        },
        "acronym": {"en": "GEC"},
        "website": "https://www.educationcluster.net/",
    },
}

RESOURCES = [
    {
        "slug": "inter-agency-toolkit-localisation-humanitarian-coordination",
        "title": {
            "en": "Inter-Agency Toolkit on Localisation in Humanitarian Coordination",
            "fr": "Boîte à outils interinstitutions sur la localisation dans la coordination "
            "humanitaire",
            "es": "Caja de herramientas interinstitucional sobre la localización en la "
            "coordinación humanitaria",
            "ar": "مجموعة أدوات مشتركة بين الوكالات بشأن التوطين في التنسيق الإنساني",
        },
        "summary": {
            "en": "An inter-agency toolkit, published by the Global CP AoR, the Global "
            "Education Cluster and other coordination groups, on making humanitarian "
            "coordination more local: how local and national actors take part in, and "
            "lead, coordination.",
        },
        "type": Resource.Type.TOOLKIT,
        "topics": ["localisation-government-engagement"],
        "initiatives": ["government-leadership-engagement"],
        "publishers": ["global-cp-aor", "global-education-cluster"],
        # The CP AoR's page does not date it: no date rather than a guessed one.
        "year": None,
        "is_key": True,
    },
    {
        "slug": "engaging-with-states-in-conflict-settings",
        "title": {"en": PENDING_RESOURCES[0]["title"]},
        "summary": {
            "en": "Key considerations for child protection coordinators on engaging with "
            "States, and with the authorities in control, in conflict settings and other "
            "situations of armed violence. Six pages.",
        },
        "type": Resource.Type.GUIDANCE,
        "topics": ["localisation-government-engagement"],
        "initiatives": [PENDING_RESOURCES[0]["initiative"]],
        "publishers": ["global-cp-aor"],
        "year": PENDING_RESOURCES[0]["year"],
        "is_key": False,
    },
]

DEMO_COUNT = 72
DEMO_PREFIX = {"en": "[Demo] ", "fr": "[Démo] ", "es": "[Demo] ", "ar": "[تجريبي] "}
# (kind of document, in each language) × (subject, in each language, with its topic).
DEMO_KINDS = [
    ("toolkit", {"en": "Toolkit", "fr": "Boîte à outils", "es": "Caja de herramientas",
                 "ar": "مجموعة أدوات"}),
    ("guidance", {"en": "Guidance note", "fr": "Note d’orientation", "es": "Nota de orientación",
                  "ar": "مذكرة توجيهية"}),
    ("report", {"en": "Annual report", "fr": "Rapport annuel", "es": "Informe anual",
                "ar": "تقرير سنوي"}),
    ("case-study", {"en": "Case study", "fr": "Étude de cas", "es": "Estudio de caso",
                    "ar": "دراسة حالة"}),
    ("infographic", {"en": "Infographic", "fr": "Infographie", "es": "Infografía",
                     "ar": "رسم بياني"}),
    ("one-pager", {"en": "One-pager", "fr": "Fiche synthèse", "es": "Ficha resumen",
                   "ar": "ورقة موجزة"}),
    ("training-material", {"en": "Training package", "fr": "Module de formation",
                           "es": "Paquete de formación", "ar": "حزمة تدريبية"}),
    ("assessment", {"en": "Needs assessment", "fr": "Évaluation des besoins",
                    "es": "Evaluación de necesidades", "ar": "تقييم الاحتياجات"}),
    ("tool", {"en": "Checklist", "fr": "Liste de contrôle", "es": "Lista de verificación",
              "ar": "قائمة مرجعية"}),
    ("policy", {"en": "Policy brief", "fr": "Note de politique", "es": "Resumen de políticas",
                "ar": "موجز سياسات"}),
    ("video", {"en": "Video", "fr": "Vidéo", "es": "Vídeo", "ar": "فيديو"}),
]  # fmt: skip
DEMO_SUBJECTS = [
    ("mhpss", {"en": "psychosocial support for children", "fr": "soutien psychosocial aux enfants",
               "es": "apoyo psicosocial a la niñez", "ar": "الدعم النفسي الاجتماعي للأطفال"}),
    ("education", {"en": "child protection in schools", "fr": "protection de l’enfance à l’école",
                   "es": "protección de la niñez en la escuela", "ar": "حماية الطفل في المدارس"}),
    ("food-security", {"en": "food insecurity and child labour",
                       "fr": "insécurité alimentaire et travail des enfants",
                       "es": "inseguridad alimentaria y trabajo infantil",
                       "ar": "انعدام الأمن الغذائي وعمل الأطفال"}),
    ("violence-prevention", {"en": "preventing violence at home",
                             "fr": "prévention de la violence à la maison",
                             "es": "prevención de la violencia en el hogar",
                             "ar": "الوقاية من العنف في المنزل"}),
    ("information-management", {"en": "coordination data and needs analysis",
                                "fr": "données de coordination et analyse des besoins",
                                "es": "datos de coordinación y análisis de necesidades",
                                "ar": "بيانات التنسيق وتحليل الاحتياجات"}),
    ("localisation-government-engagement", {"en": "localisation of coordination",
                                            "fr": "localisation de la coordination",
                                            "es": "localización de la coordinación",
                                            "ar": "توطين التنسيق"}),
    ("gbv-case-management", {"en": "case management for child survivors",
                             "fr": "gestion de cas pour les enfants survivants",
                             "es": "gestión de casos de niñas y niños sobrevivientes",
                             "ar": "إدارة حالات الأطفال الناجين"}),
    ("mine-action", {"en": "mine risk education", "fr": "éducation aux risques des mines",
                     "es": "educación sobre el riesgo de minas", "ar": "التوعية بمخاطر الألغام"}),
]  # fmt: skip
DEMO_SUMMARY = {
    "en": "Demo data generated for the portal: a {kind} on {subject}, to show the library’s "
    "search and filters. Not a CP AoR publication.",
    "fr": "Données de démonstration générées pour le portail : {kind} sur {subject}, pour "
    "montrer la recherche et les filtres. Pas une publication du CP AoR.",
    "es": "Datos de demostración generados para el portal: {kind} sobre {subject}, para "
    "mostrar la búsqueda y los filtros. No es una publicación del CP AoR.",
    "ar": "بيانات تجريبية أُنشئت للبوابة: {kind} حول {subject}، لعرض البحث والتصفية في "
    "المكتبة. ليست من منشورات مجال المسؤولية.",
}
# Language sets of the demo versions: mostly English, as in the real library.
DEMO_LANGUAGE_SETS = [["en"], ["en"], ["en", "fr"], ["fr"], ["en", "es"], ["es"],
                      ["en", "ar"], ["ar"], ["en", "fr", "es", "ar"]]  # fmt: skip


def _create(data, now):
    year = data["year"]
    precision = data.get("precision", Resource.Precision.YEAR)
    month = 1 if precision == Resource.Precision.YEAR else data.get("month", 1)
    resource = Resource.objects.create(
        slug=data["slug"],
        **translated("title", data["title"]),
        **translated("summary", data["summary"]),
        type=data["type"],
        publication_date=datetime.date(year, month, 1) if year else None,
        publication_precision=precision,
        is_key=data["is_key"],
        is_demo=data.get("is_demo", False),
        status=Resource.Status.PUBLISHED,
        published_at=now,
    )
    resource.topics.set(Topic.objects.filter(slug__in=data["topics"]))
    resource.initiatives.set(Initiative.objects.filter(slug__in=data["initiatives"]))
    resource.publishers.set(Partner.objects.filter(slug__in=data.get("publishers", [])))
    resource.regions.set(Region.objects.filter(slug__in=data.get("regions", [])))
    resource.countries.set(Country.objects.filter(iso_code__in=data.get("countries", [])))
    for language, url in data.get("links", {}).items():
        ResourceVersion.objects.create(
            resource=resource,
            language=language,
            external_url=url,
            page_count=data.get("pages"),
            extraction_status=ResourceVersion.Extraction.NOT_APPLICABLE,
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
    now = timezone.now()
    created = [_create(data, now) for data in wanted if data["slug"] not in existing]
    if created:
        resources_update_search_vectors(created)
    if stdout is not None:
        demo_note = "including demo resources" if demo else "without demo resources"
        stdout.write(
            f"Resources: created {len(created)} resources ({demo_note}), {topics} topics and "
            f"{partners} partners; kept the rest as they are"
        )
