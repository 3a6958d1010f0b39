"""Starting content of the site shell: the CP AoR strategy 2020-2024 and its goals.

Loaded by `manage.py load_starting_content`. A row that exists is left alone, so what an
editor changed in admin is never overwritten and a second run changes nothing.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction

from .models import Strategy

STRATEGY_2020_2024 = {
    "start_year": 2020,
    "end_year": 2024,
    "title": {
        "en": "CP AoR Strategy 2020–2024",
        "fr": "Stratégie du domaine de responsabilité Protection de l’enfance 2020–2024",
        "es": "Estrategia del Área de Responsabilidad de Protección de la Niñez 2020–2024",
        "ar": "استراتيجية مجال مسؤولية حماية الطفل 2020–2024",
    },
    "summary": {
        "en": "Our strategy aims to make sure that national and international humanitarian "
        "actors coordinate their work to protect children, for the best quality and impact.",
        "fr": "Notre stratégie vise à ce que les acteurs humanitaires nationaux et "
        "internationaux coordonnent leur action de protection de l’enfance, pour la "
        "meilleure qualité et le plus grand impact.",
        "es": "Nuestra estrategia busca que los actores humanitarios nacionales e "
        "internacionales coordinen su trabajo de protección de la niñez, con la mayor "
        "calidad e impacto.",
        "ar": "تهدف استراتيجيتنا إلى ضمان تنسيق جهود الجهات الإنسانية الوطنية والدولية "
        "لحماية الأطفال، لتحقيق أفضل جودة وأكبر أثر.",
    },
    "goals": [
        {
            "en": "Strengthen advocacy, policy and integrated approaches, through key "
            "partnerships, so that safe and inclusive child protection services are "
            "better prioritised and delivered.",
            "fr": "Renforcer le plaidoyer, les politiques et les approches intégrées, grâce à "
            "des partenariats clés, pour mieux prioriser et fournir des services de "
            "protection de l’enfance sûrs et inclusifs.",
            "es": "Reforzar la incidencia, las políticas y los enfoques integrados, mediante "
            "alianzas clave, para priorizar y prestar mejor servicios de protección de la "
            "niñez seguros e inclusivos.",
            "ar": "تعزيز المناصرة والسياسات والنُهج المتكاملة من خلال الشراكات الرئيسية، "
            "لإعطاء الأولوية لخدمات حماية الطفل الآمنة والشاملة وتقديمها بشكل أفضل.",
        },
        {
            "en": "Improve the coordination of child protection responses with flexible, "
            "timely and appropriate operational support, remotely and in country.",
            "fr": "Améliorer la coordination des réponses de protection de l’enfance par un "
            "appui opérationnel souple, rapide et adapté, à distance et dans les pays.",
            "es": "Mejorar la coordinación de las respuestas de protección de la niñez con "
            "apoyo operativo flexible, oportuno y adecuado, a distancia y en el terreno.",
            "ar": "تحسين تنسيق استجابات حماية الطفل من خلال دعم تشغيلي مرن وفي الوقت المناسب "
            "وملائم، عن بُعد وداخل البلدان.",
        },
        {
            "en": "Strengthen existing, locally owned child protection coordination systems "
            "and improve local services by working closely with local governments, civil "
            "society, protection actors, other clusters and sectors and national actors, "
            "while respecting the principle of neutrality.",
            "fr": "Renforcer les systèmes de coordination de la protection de l’enfance qui "
            "existent et appartiennent aux acteurs locaux, et améliorer les services locaux "
            "en travaillant étroitement avec les autorités locales, la société civile, les "
            "acteurs de la protection, les autres clusters et secteurs et les acteurs "
            "nationaux, dans le respect du principe de neutralité.",
            "es": "Fortalecer los sistemas de coordinación de protección de la niñez ya "
            "existentes y de propiedad local, y mejorar los servicios locales colaborando "
            "estrechamente con gobiernos locales, sociedad civil, actores de protección, "
            "otros clústeres y sectores y actores nacionales, respetando el principio de "
            "neutralidad.",
            "ar": "تعزيز أنظمة تنسيق حماية الطفل القائمة والمملوكة محلياً، وتحسين الخدمات "
            "المحلية عبر التعاون الوثيق مع الحكومات المحلية والمجتمع المدني والجهات "
            "العاملة في الحماية والمجموعات والقطاعات الأخرى والجهات الوطنية، مع احترام "
            "مبدأ الحياد.",
        },
        {
            "en": "Raise the quality of child protection prevention, preparedness and "
            "response through quality monitoring, stronger analysis and an evidence base "
            "of good practice.",
            "fr": "Améliorer la qualité de la prévention, de la préparation et de la réponse "
            "en protection de l’enfance grâce au suivi de la qualité, à une analyse plus "
            "solide et à une base de données probantes sur les bonnes pratiques.",
            "es": "Elevar la calidad de la prevención, la preparación y la respuesta en "
            "protección de la niñez mediante el seguimiento de la calidad, un análisis más "
            "sólido y una base de evidencia de buenas prácticas.",
            "ar": "رفع جودة الوقاية والتأهب والاستجابة في مجال حماية الطفل من خلال أنظمة "
            "رصد الجودة وتحليل أقوى وبناء قاعدة أدلة على الممارسات الجيدة.",
        },
    ],
}


def translated(field, values):
    """{"en": "…", "fr": "…"} as modeltranslation's columns, leaving out empty texts."""
    return {f"{field}_{code}": text for code, text in values.items() if text}


@transaction.atomic
def load(stdout=None):
    site = Site.objects.get(pk=settings.SITE_ID)
    domain = settings.SITE_URL.split("://", 1)[-1]
    if site.domain == "example.com":
        site.domain, site.name = domain, "CP AoR"
        site.save(update_fields=["domain", "name"])

    data = STRATEGY_2020_2024
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
