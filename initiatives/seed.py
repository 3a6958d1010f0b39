"""Starting content of the initiatives: the nine CP AoR initiatives and their reference data.

Loaded by `manage.py load_starting_content`. Everything is looked up by slug (or ISO code)
and only created when missing: a second run changes nothing, and what an editor changed
in admin is never overwritten. Texts are written for the portal from the CP AoR's public
pages; titles and summaries come in the four languages, longer texts in English (the page
shows them in English, marked as such, until they are translated).
"""

import datetime

from django.db import transaction

from cpaor.seed import translated

from .models import Country, Initiative, Milestone, Partner, Region, Theme

LANGUAGES = ("en", "fr", "es", "ar")


def tr(en, fr=None, es=None, ar=None):
    return {"en": en, "fr": fr, "es": es, "ar": ar}


THEMES = {
    "mhpss": tr(
        "Mental health and psychosocial support (MHPSS)",
        "Santé mentale et soutien psychosocial (SMSPS)",
        "Salud mental y apoyo psicosocial (SMAPS)",
        "الصحة النفسية والدعم النفسي الاجتماعي",
    ),
    "education": tr("Education", "Éducation", "Educación", "التعليم"),
    "food-security": tr(
        "Food security", "Sécurité alimentaire", "Seguridad alimentaria", "الأمن الغذائي"
    ),
    "violence-prevention": tr(
        "Violence prevention",
        "Prévention de la violence",
        "Prevención de la violencia",
        "الوقاية من العنف",
    ),
    "information-management": tr(
        "Information management",
        "Gestion de l’information",
        "Gestión de la información",
        "إدارة المعلومات",
    ),
    "localisation-government-engagement": tr(
        "Localisation & government engagement",
        "Localisation et engagement des gouvernements",
        "Localización y colaboración con los gobiernos",
        "التوطين والتعاون مع الحكومات",
    ),
    "gbv-case-management": tr(
        "Gender-based violence & case management",
        "Violence basée sur le genre et gestion de cas",
        "Violencia de género y gestión de casos",
        "العنف القائم على النوع الاجتماعي وإدارة الحالات",
    ),
    "mine-action": tr(
        "Mine action",
        "Action contre les mines",
        "Acción contra las minas",
        "الأعمال المتعلقة بالألغام",
    ),
}

REGIONS = {
    "global": tr("Global", "Mondial", "Global", "عالمي"),
    "east-asia-pacific": tr(
        "East Asia and Pacific", "Asie de l’Est et Pacifique", "Asia Oriental y el Pacífico",
        "شرق آسيا والمحيط الهادئ",
    ),
    "west-central-africa": tr(
        "West and Central Africa", "Afrique de l’Ouest et du Centre", "África Occidental y Central",
        "غرب ووسط أفريقيا",
    ),
    "eastern-southern-africa": tr(
        "Eastern and Southern Africa", "Afrique de l’Est et australe",
        "África Oriental y Meridional", "شرق وجنوب أفريقيا",
    ),
    "middle-east-north-africa": tr(
        "Middle East and North Africa", "Moyen-Orient et Afrique du Nord",
        "Oriente Medio y Norte de África", "الشرق الأوسط وشمال أفريقيا",
    ),
    "latin-america-caribbean": tr(
        "Latin America and the Caribbean", "Amérique latine et Caraïbes",
        "América Latina y el Caribe", "أمريكا اللاتينية والكاريبي",
    ),
    "europe-central-asia": tr(
        "Europe and Central Asia", "Europe et Asie centrale", "Europa y Asia Central",
        "أوروبا وآسيا الوسطى",
    ),
    "south-asia": tr("South Asia", "Asie du Sud", "Asia Meridional", "جنوب آسيا"),
}  # fmt: skip

# ISO code: (region slug, name). The countries the starting content names.
COUNTRIES = {
    "KE": ("eastern-southern-africa", tr("Kenya", "Kenya", "Kenia", "كينيا")),
    "ET": ("eastern-southern-africa", tr("Ethiopia", "Éthiopie", "Etiopía", "إثيوبيا")),
}

PARTNERS = {
    "ifrc": {
        "name": tr(
            "International Federation of Red Cross and Red Crescent Societies",
            "Fédération internationale des Sociétés de la Croix-Rouge et du Croissant-Rouge",
            "Federación Internacional de Sociedades de la Cruz Roja y de la Media Luna Roja",
            "الاتحاد الدولي لجمعيات الصليب الأحمر والهلال الأحمر",
        ),
        "acronym": tr("IFRC", "FICR", "IFRC", "الاتحاد الدولي"),
        "website": "https://www.ifrc.org/",
    },
    "unicef-wcaro": {
        "name": tr(
            "UNICEF West and Central Africa Regional Office",
            "Bureau régional de l’UNICEF pour l’Afrique de l’Ouest et du Centre",
            "Oficina Regional de UNICEF para África Occidental y Central",
            "المكتب الإقليمي لليونيسف لغرب ووسط أفريقيا",
        ),
        "acronym": tr("UNICEF WCARO"),
        "website": "https://www.unicef.org/wca/",
    },
    "end-violence": {
        "name": tr(
            "Global Partnership to End Violence Against Children",
            "Partenariat mondial pour mettre fin à la violence envers les enfants",
            "Alianza Mundial para Acabar con la Violencia contra los Niños",
            "الشراكة العالمية لإنهاء العنف ضد الأطفال",
        ),
        "acronym": tr("End Violence Partnership"),
        "website": "https://www.end-violence.org/",
    },
    "unicef-kenya": {
        "name": tr("UNICEF Kenya", "UNICEF Kenya", "UNICEF Kenia", "اليونيسف في كينيا"),
        "acronym": tr(""),
        "website": "https://www.unicef.org/kenya/",
    },
    "unicef": {
        "name": tr(
            "United Nations Children’s Fund",
            "Fonds des Nations Unies pour l’enfance",
            "Fondo de las Naciones Unidas para la Infancia",
            "منظمة الأمم المتحدة للطفولة",
        ),
        "acronym": tr("UNICEF", "UNICEF", "UNICEF", "اليونيسف"),
        "website": "https://www.unicef.org/",
    },
    "iom": {
        "name": tr(
            "International Organization for Migration",
            "Organisation internationale pour les migrations",
            "Organización Internacional para las Migraciones",
            "المنظمة الدولية للهجرة",
        ),
        "acronym": tr("IOM", "OIM", "OIM", "المنظمة الدولية للهجرة"),
        "website": "https://www.iom.int/",
    },
}

GLE_BODY = """
<p>Governments carry the first responsibility for humanitarian assistance on their own
territory: they start it, organise it, coordinate it and deliver it. For that, national
systems need the capacity to play a larger part in coordinating and leading child
protection preparedness and response, nationally and sub-nationally.</p>
<p>The CP AoR works with the International Federation of Red Cross and Red Crescent
Societies (IFRC) to strengthen that leadership and engagement.</p>
<h2>West and Central Africa</h2>
<p>In 2015, UNICEF’s West and Central Africa Regional Office (WCARO) and the CP AoR saw that
national systems needed support to take part in coordinating, leading and preparing the
child protection humanitarian response at every level, national and sub-national, and
designed a three-year project in response. With the Global Partnership to End Violence
Against Children, they held regional workshops in December 2015, December 2016 and May
2017, to:</p>
<ul>
<li>deepen the understanding of what governments do in coordinating the humanitarian child
protection response;</li>
<li>bring the humanitarian system and each country’s existing child protection system
closer together;</li>
<li>share good practice in coordination led by governments.</li>
</ul>
<p>Each participating government then drew up its own action plan to strengthen the
coordination of child protection in humanitarian settings.</p>
<h2>Eastern and Southern Africa</h2>
<p>Once the WCARO initiative had been evaluated, its lessons shaped a second workshop, held
in Addis Ababa for seven English-speaking countries.</p>
<p>In February 2020 the CP AoR joined the Child Protection Section of UNICEF Kenya, in
Nairobi, to support Kenya’s Department of Children’s Services. The work built the capacity
of County Children Coordinators in counties prone to emergencies, who drew up and reviewed
preparedness and response plans for children affected by emergencies. The CP AoR also
reviewed the Department’s Operational Guidelines for Child Protection in Emergencies,
which were to be launched before the end of 2020.</p>
"""

GLE_OBJECTIVES = [
    {
        "text": "Improve coordination with partners so that local governments get the capacity "
        "they need to lead child protection coordination more strongly, in emergency "
        "preparedness and response.",
        "steps": [],
    },
    {
        "text": "Strengthen the technical and institutional capacity of four governments of the "
        "East Asia and Pacific region to coordinate the child protection response in "
        "humanitarian and early-warning situations, with the emphasis on preparedness.",
        "steps": [
            "Capacity building: give local actors the knowledge, skills and resources to lead "
            "or contribute to child protection coordination.",
            "Governance reform: help local actors take a meaningful part in humanitarian "
            "planning, and the lead where that is right.",
        ],
    },
]

WCARO_PARTNERS = "With UNICEF WCARO and the Global Partnership to End Violence Against Children."
GLE_MILESTONES = [
    {
        "date": datetime.date(2015, 12, 1),
        "precision": Milestone.Precision.MONTH,
        "title": "First regional workshop on government-led coordination",
        "place": "West and Central Africa",
        "description": WCARO_PARTNERS,
    },
    {
        "date": datetime.date(2016, 12, 1),
        "precision": Milestone.Precision.MONTH,
        "title": "Second regional workshop",
        "place": "West and Central Africa",
        "description": WCARO_PARTNERS,
    },
    {
        "date": datetime.date(2017, 5, 1),
        "precision": Milestone.Precision.MONTH,
        "title": "Third regional workshop",
        "place": "West and Central Africa",
        "description": WCARO_PARTNERS + " Participating governments drew up country action "
        "plans for child protection coordination in humanitarian settings.",
    },
    {
        # The source dates it only as "after the evaluation of the WCARO initiative",
        # which followed the May 2017 workshop: an approximate year, shown as "around 2018".
        "date": datetime.date(2018, 1, 1),
        "precision": Milestone.Precision.YEAR,
        "is_approximate": True,
        "title": "Workshop for seven English-speaking countries",
        "place": "Addis Ababa, Ethiopia",
        "description": "Held after the evaluation of the WCARO initiative, whose lessons "
        "shaped it.",
    },
    {
        "date": datetime.date(2020, 2, 1),
        "precision": Milestone.Precision.MONTH,
        "title": "Support to Kenya’s Department of Children’s Services",
        "place": "Nairobi, Kenya",
        "description": "With UNICEF Kenya: preparedness and response plans with County "
        "Children Coordinators, and a review of the Operational Guidelines for Child "
        "Protection in Emergencies.",
    },
]

INITIATIVES = [
    {
        "slug": "mhpss",
        "themes": ["mhpss"],
        "regions": ["global"],
        "title": tr(
            "Mental Health and Psychosocial Support (MHPSS)",
            "Santé mentale et soutien psychosocial (SMSPS)",
            "Salud mental y apoyo psicosocial (SMAPS)",
            "الصحة النفسية والدعم النفسي الاجتماعي",
        ),
        "summary": tr(
            "Conflict and disasters can devastate children’s health, in body and in mind. "
            "This initiative is about the mental health and psychosocial support children "
            "need in humanitarian crises.",
            "Les conflits et les catastrophes peuvent avoir des effets dévastateurs sur la "
            "santé des enfants, physique comme mentale. Cette initiative porte sur la santé "
            "mentale et le soutien psychosocial dont les enfants ont besoin dans les crises "
            "humanitaires.",
            "Los conflictos y los desastres pueden ser devastadores para la salud de la "
            "niñez, tanto física como mental. Esta iniciativa trata de la salud mental y el "
            "apoyo psicosocial que niñas y niños necesitan en las crisis humanitarias.",
            "يمكن أن تُلحق النزاعات والكوارث ضرراً بالغاً بصحة الأطفال الجسدية والنفسية. "
            "تُعنى هذه المبادرة بالصحة النفسية والدعم النفسي الاجتماعي الذي يحتاجه الأطفال "
            "في الأزمات الإنسانية.",
        ),
    },
    {
        "slug": "child-protection-food-security",
        "themes": ["food-security"],
        "regions": ["global"],
        "title": tr(
            "Integrating Child Protection and Food Security in Humanitarian Action",
            "Intégrer la protection de l’enfance et la sécurité alimentaire dans l’action "
            "humanitaire",
            "Integrar la protección de la niñez y la seguridad alimentaria en la acción "
            "humanitaria",
            "دمج حماية الطفل والأمن الغذائي في العمل الإنساني",
        ),
        "summary": tr(
            "Conflict, climate shocks and COVID-19 keep driving food insecurity up. This "
            "initiative shows how child protection and food security are linked, and how the "
            "two sectors can act together in humanitarian response.",
            "Les conflits, les chocs climatiques et la COVID-19 continuent d’aggraver "
            "l’insécurité alimentaire. Cette initiative montre les liens entre protection de "
            "l’enfance et sécurité alimentaire, et comment les deux secteurs peuvent agir "
            "ensemble dans la réponse humanitaire.",
            "Los conflictos, los choques climáticos y la COVID-19 siguen agravando la "
            "inseguridad alimentaria. Esta iniciativa muestra los vínculos entre la "
            "protección de la niñez y la seguridad alimentaria, y cómo ambos sectores pueden "
            "actuar juntos en la respuesta humanitaria.",
            "تواصل النزاعات والصدمات المناخية وجائحة كوفيد-19 زيادة انعدام الأمن الغذائي. "
            "تبيّن هذه المبادرة الصلة بين حماية الطفل والأمن الغذائي، وكيف يمكن للقطاعين "
            "العمل معاً في الاستجابة الإنسانية.",
        ),
    },
    {
        "slug": "cp-eie",
        "themes": ["education"],
        "regions": ["global"],
        "title": tr(
            "Child Protection and Education in Emergencies (CP-EiE)",
            "Protection de l’enfance et éducation en situation d’urgence (CP-EiE)",
            "Protección de la niñez y educación en emergencias (CP-EiE)",
            "حماية الطفل والتعليم في حالات الطوارئ",
        ),
        "summary": tr(
            "Education and child protection each play an important part for children in "
            "emergencies, and their roles complete each other. The CP-EiE Collaboration "
            "Framework sets out how the two sectors work together.",
            "L’éducation et la protection de l’enfance jouent chacune un rôle important et "
            "complémentaire auprès des enfants en situation d’urgence. Le cadre de "
            "collaboration CP-EiE précise comment les deux secteurs travaillent ensemble.",
            "La educación y la protección de la niñez cumplen funciones importantes y "
            "complementarias para la niñez en emergencias. El Marco de Colaboración CP-EiE "
            "establece cómo trabajan juntos ambos sectores.",
            "يؤدي كل من التعليم وحماية الطفل دوراً مهماً ومتكاملاً لصالح الأطفال في حالات "
            "الطوارئ. ويحدد إطار التعاون بين القطاعين كيفية عملهما معاً.",
        ),
    },
    {
        "slug": "preventing-violence-against-children",
        "themes": ["violence-prevention"],
        "regions": ["global"],
        "title": tr(
            "Preventing Violence Against Children",
            "Prévenir la violence envers les enfants",
            "Prevenir la violencia contra la niñez",
            "الوقاية من العنف ضد الأطفال",
        ),
        "summary": tr(
            "Worldwide, half of all children went through some form of violence in the past "
            "year, at home, at school or elsewhere. This initiative works to prevent "
            "violence against children.",
            "Dans le monde, un enfant sur deux a subi une forme de violence au cours de "
            "l’année écoulée, à la maison, à l’école ou ailleurs. Cette initiative vise à "
            "prévenir la violence envers les enfants.",
            "En el mundo, uno de cada dos niños y niñas sufrió alguna forma de violencia en "
            "el último año, en casa, en la escuela o en otro lugar. Esta iniciativa busca "
            "prevenir la violencia contra la niñez.",
            "تعرّض طفل من كل طفلين في العالم لشكل من أشكال العنف خلال العام الماضي، في "
            "المنزل أو المدرسة أو في أماكن أخرى. تعمل هذه المبادرة على الوقاية من العنف "
            "ضد الأطفال.",
        ),
    },
    {
        "slug": "niaf",
        "themes": ["information-management"],
        "regions": ["global"],
        "title": tr(
            "Needs Identification and Analysis Framework (NIAF)",
            "Cadre d’identification et d’analyse des besoins (NIAF)",
            "Marco de Identificación y Análisis de Necesidades (NIAF)",
            "إطار تحديد الاحتياجات وتحليلها",
        ),
        "summary": tr(
            "The Child Protection NIAF is a conceptual framework that gives child protection "
            "coordination groups one shared way of identifying and analysing needs.",
            "Le NIAF de la protection de l’enfance est un cadre conceptuel qui donne aux "
            "groupes de coordination de la protection de l’enfance une approche commune pour "
            "identifier et analyser les besoins.",
            "El NIAF de protección de la niñez es un marco conceptual que ofrece a los grupos "
            "de coordinación de protección de la niñez un enfoque común para identificar y "
            "analizar las necesidades.",
            "إطار تحديد الاحتياجات وتحليلها في مجال حماية الطفل إطار مفاهيمي يوفّر لمجموعات "
            "تنسيق حماية الطفل نهجاً مشتركاً لتحديد الاحتياجات وتحليلها.",
        ),
    },
    {
        "slug": "dtm-children-on-the-move",
        "themes": ["information-management"],
        "regions": ["global"],
        "partners": ["unicef", "iom"],
        "title": tr(
            "Displacement Tracking Matrix (DTM) for Children on the Move",
            "Matrice de suivi des déplacements (DTM) pour les enfants en déplacement",
            "Matriz de Seguimiento del Desplazamiento (DTM) para la niñez en movimiento",
            "مصفوفة تتبّع النزوح للأطفال المتنقلين",
        ),
        "summary": tr(
            "UNICEF and IOM started this joint project in 2017 to bring the Displacement "
            "Tracking Matrix to bear on children who are on the move.",
            "L’UNICEF et l’OIM ont lancé ensemble ce projet en 2017 pour appliquer la "
            "Matrice de suivi des déplacements aux enfants en déplacement.",
            "UNICEF y la OIM pusieron en marcha este proyecto conjunto en 2017 para aplicar "
            "la Matriz de Seguimiento del Desplazamiento a la niñez en movimiento.",
            "أطلقت اليونيسف والمنظمة الدولية للهجرة هذا المشروع المشترك عام 2017 لتطبيق "
            "مصفوفة تتبّع النزوح على الأطفال المتنقلين.",
        ),
    },
    {
        "slug": "government-leadership-engagement",
        "themes": ["localisation-government-engagement"],
        "regions": ["east-asia-pacific", "west-central-africa", "eastern-southern-africa"],
        "countries": ["KE", "ET"],
        "partners": ["ifrc", "unicef-wcaro", "end-violence", "unicef-kenya"],
        "title": tr(
            "Government Leadership & Engagement",
            "Leadership et engagement des gouvernements",
            "Liderazgo y participación de los gobiernos",
            "قيادة الحكومات وانخراطها",
        ),
        "summary": tr(
            "States hold the main responsibility for humanitarian assistance on their "
            "territory. With partners such as the IFRC, the CP AoR helps governments build "
            "the capacity to lead and take part in child protection preparedness and "
            "response, nationally and locally.",
            "Les États ont la responsabilité première de l’aide humanitaire sur leur "
            "territoire. Avec des partenaires comme la FICR, le domaine de responsabilité "
            "aide les gouvernements à renforcer leur capacité à diriger la préparation et la "
            "réponse en protection de l’enfance, et à y prendre part, aux niveaux national et "
            "local.",
            "Los Estados tienen la responsabilidad principal de la asistencia humanitaria en "
            "su territorio. Con socios como la IFRC, el Área de Responsabilidad ayuda a los "
            "gobiernos a desarrollar la capacidad de liderar la preparación y la respuesta en "
            "protección de la niñez y de participar en ellas, a nivel nacional y local.",
            "تتحمّل الدول المسؤولية الأولى عن المساعدة الإنسانية على أراضيها. وبالتعاون مع "
            "شركاء مثل الاتحاد الدولي لجمعيات الصليب الأحمر والهلال الأحمر، يساعد مجال "
            "المسؤولية الحكومات على بناء قدرتها على قيادة التأهب والاستجابة في مجال حماية "
            "الطفل والمشاركة فيهما على المستويين الوطني والمحلي.",
        ),
        "body": tr(GLE_BODY),
        "start_date": datetime.date(2015, 12, 1),
        "objectives": GLE_OBJECTIVES,
        "milestones": GLE_MILESTONES,
        # The source gives her e-mail address only in part: the address is left for an
        # editor to add rather than guessed.
        "contacts": [{"name": "Joyce Mutiso"}],
    },
    {
        "slug": "casi",
        "themes": ["gbv-case-management"],
        "regions": ["global"],
        "title": tr(
            "Child and Adolescent Survivor Initiative (CASI)",
            "Initiative pour les enfants et adolescents survivants (CASI)",
            "Iniciativa para Niñas, Niños y Adolescentes Sobrevivientes (CASI)",
            "مبادرة الأطفال والمراهقين الناجين",
        ),
        "summary": tr(
            "CASI works so that child and adolescent survivors can reach services more "
            "easily and receive better care from them.",
            "La CASI œuvre pour que les enfants et adolescents survivants accèdent plus "
            "facilement aux services et y reçoivent une meilleure prise en charge.",
            "CASI trabaja para que niñas, niños y adolescentes sobrevivientes accedan más "
            "fácilmente a los servicios y reciban en ellos una mejor atención.",
            "تعمل المبادرة على تيسير وصول الأطفال والمراهقين الناجين إلى الخدمات وتحسين "
            "جودة الرعاية التي يتلقونها.",
        ),
    },
    {
        "slug": "child-protection-mine-action",
        "themes": ["mine-action"],
        "regions": ["global"],
        "title": tr(
            "Child Protection/Mine Action ProCap Support Mission",
            "Mission d’appui ProCap protection de l’enfance et action contre les mines",
            "Misión de apoyo ProCap de protección de la niñez y acción contra las minas",
            "بعثة دعم ProCap لحماية الطفل والأعمال المتعلقة بالألغام",
        ),
        "summary": tr(
            "The killing and maiming of children has risen alarmingly in recent years, above "
            "all since 2013. This ProCap support mission brings child protection and mine "
            "action together in response.",
            "Le nombre d’enfants tués et mutilés a augmenté de façon alarmante ces dernières "
            "années, surtout depuis 2013. Cette mission d’appui ProCap réunit la protection "
            "de l’enfance et l’action contre les mines pour y répondre.",
            "Los asesinatos y mutilaciones de niños y niñas han aumentado de forma alarmante "
            "en los últimos años, sobre todo desde 2013. Esta misión de apoyo ProCap une la "
            "protección de la niñez y la acción contra las minas para responder.",
            "ازدادت حالات قتل الأطفال وتشويههم بشكل مقلق في السنوات الأخيرة، ولا سيما منذ "
            "عام 2013. وتجمع بعثة دعم ProCap بين حماية الطفل والأعمال المتعلقة بالألغام "
            "للتصدي لذلك.",
        ),
    },
]

# Related resources named by the starting content. The resources app owns resources and
# will link these to their initiative when it loads its own starting content.
PENDING_RESOURCES = [
    {
        "initiative": "government-leadership-engagement",
        "title": "Engaging with States in Conflict Settings or other Situations of Armed "
        "Violence: key considerations for child protection coordinators",
        "pages": 6,
        "year": 2019,
    },
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
                **translated("acronym", data["acronym"]),
            },
        )
        created += was_created
    return created


def _load_countries():
    created = 0
    regions = {region.slug: region for region in Region.objects.all()}
    for iso_code, (region_slug, names) in COUNTRIES.items():
        _obj, was_created = Country.objects.get_or_create(
            iso_code=iso_code,
            defaults={"region": regions[region_slug], **translated("name", names)},
        )
        created += was_created
    return created


def _create_initiative(order, data):
    initiative = Initiative(
        slug=data["slug"],
        status=Initiative.Status.ACTIVE,
        is_published=True,
        is_featured=True,
        order=order,
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
        aim = initiative.objectives.create(order=position, text_en=objective["text"])
        for step_position, step in enumerate(objective["steps"], start=1):
            initiative.objectives.create(parent=aim, order=step_position, text_en=step)
    for milestone in data.get("milestones", []):
        initiative.milestones.create(
            date=milestone["date"],
            precision=milestone["precision"],
            is_approximate=milestone.get("is_approximate", False),
            title_en=milestone["title"],
            place_en=milestone["place"],
            description_en=milestone["description"],
        )
    for position, contact in enumerate(data.get("contacts", []), start=1):
        initiative.contacts.create(order=position, name=contact["name"])


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
    for order, data in enumerate(INITIATIVES, start=1):
        if data["slug"] not in existing:
            _create_initiative(order, data)
            initiatives += 1
    if stdout is not None:
        stdout.write(
            f"Initiatives: created {initiatives} initiatives, {themes} themes, {regions} "
            f"regions, {countries} countries and {partners} partners; kept the rest as they are"
        )
