"""Starting content of the membership pages: the two kinds of membership.

Loaded by `manage.py load_starting_content` (members.seed in its SEEDERS). A tier that
exists is left alone, so an editor's text is never overwritten.
"""

from django.db import transaction

from cpaor.seed import translated

from .models import MembershipTier, MembershipType

TIERS = [
    {
        "type": MembershipType.FULL,
        "order": 1,
        "title": {
            "en": "Full members",
            "fr": "Membres à part entière",
            "es": "Miembros de pleno derecho",
            "ar": "الأعضاء الكاملون",
        },
        "summary": {
            "en": "Organisations that want to improve the protection of children in "
            "emergencies: UN agencies, international and national NGOs and civil-society "
            "organisations, government bodies, Red Cross and Red Crescent societies, academic "
            "institutions, networks and donors.",
            "fr": "Les organisations qui veulent améliorer la protection des enfants dans les "
            "situations d’urgence : agences des Nations unies, ONG internationales et "
            "nationales, organisations de la société civile, organismes publics, sociétés de "
            "la Croix-Rouge et du Croissant-Rouge, institutions universitaires, réseaux et "
            "bailleurs.",
            "es": "Organizaciones que quieren mejorar la protección de la niñez en "
            "emergencias: agencias de la ONU, ONG internacionales y nacionales, "
            "organizaciones de la sociedad civil, organismos de gobierno, sociedades de la "
            "Cruz Roja y la Media Luna Roja, instituciones académicas, redes y donantes.",
            "ar": "المنظمات التي تسعى إلى تحسين حماية الأطفال في حالات الطوارئ: وكالات الأمم "
            "المتحدة، والمنظمات غير الحكومية الدولية والوطنية، ومنظمات المجتمع المدني، "
            "والهيئات الحكومية، وجمعيات الصليب الأحمر والهلال الأحمر، والمؤسسات الأكاديمية، "
            "والشبكات، والجهات المانحة.",
        },
        "criteria": {
            "en": "You are an organisation, not an individual.\n"
            "Improving the protection of children in emergencies is part of your work.",
            "fr": "Vous êtes une organisation, et non une personne.\n"
            "Améliorer la protection des enfants dans les situations d’urgence fait partie "
            "de votre travail.",
            "es": "Es usted una organización, no una persona.\n"
            "Mejorar la protección de la niñez en emergencias forma parte de su trabajo.",
            "ar": "أنتم منظمة وليس فرداً.\nتحسين حماية الأطفال في حالات الطوارئ جزء من عملكم.",
        },
        "commitments": {
            "en": "Respect the humanitarian principles, including neutrality.\n"
            "Apply the Minimum Standards for Child Protection in Humanitarian Action (CPMS).\n"
            "Hold your staff to a safeguarding and PSEA code of conduct.",
            "fr": "Respecter les principes humanitaires, dont la neutralité.\n"
            "Appliquer les Standards minimums pour la protection de l’enfance dans l’action "
            "humanitaire (SMPE).\n"
            "Soumettre votre personnel à un code de conduite de sauvegarde et de PSEA.",
            "es": "Respetar los principios humanitarios, incluida la neutralidad.\n"
            "Aplicar las Normas mínimas para la protección de la niñez en la acción "
            "humanitaria (NMPNAH).\n"
            "Exigir a su personal un código de conducta de salvaguarda y PEAS.",
            "ar": "احترام المبادئ الإنسانية، ومنها الحياد.\n"
            "تطبيق المعايير الدنيا لحماية الطفل في العمل الإنساني.\n"
            "إلزام موظفيكم بمدونة سلوك للحماية من الاستغلال والاعتداء الجنسيين.",
        },
    },
    {
        "type": MembershipType.ASSOCIATE,
        "order": 2,
        "title": {
            "en": "Associate members",
            "fr": "Membres associés",
            "es": "Miembros asociados",
            "ar": "الأعضاء المنتسبون",
        },
        "summary": {
            "en": "Individual experts, and relevant organisations that do not seek full "
            "membership, can join as associate members.",
            "fr": "Les experts à titre individuel, ainsi que les organisations concernées qui "
            "ne souhaitent pas devenir membres à part entière, peuvent devenir membres "
            "associés.",
            "es": "Las personas expertas, y las organizaciones pertinentes que no buscan ser "
            "miembros de pleno derecho, pueden unirse como miembros asociados.",
            "ar": "يمكن للخبراء الأفراد، وللمنظمات المعنية التي لا تسعى إلى العضوية الكاملة، "
            "الانضمام بصفة أعضاء منتسبين.",
        },
        "criteria": {
            "en": "You bring expertise or experience useful to child protection in emergencies.\n"
            "You apply in your own name, or for an organisation that prefers associate "
            "membership.",
            "fr": "Vous apportez une expertise ou une expérience utile à la protection de "
            "l’enfance dans les situations d’urgence.\n"
            "Vous postulez en votre nom, ou pour une organisation qui préfère le statut de "
            "membre associé.",
            "es": "Aporta conocimientos o experiencia útiles para la protección de la niñez en "
            "emergencias.\n"
            "Solicita en su propio nombre, o en el de una organización que prefiere ser "
            "miembro asociado.",
            "ar": "لديكم خبرة أو تجربة مفيدة لحماية الطفل في حالات الطوارئ.\n"
            "تتقدمون باسمكم الشخصي، أو باسم منظمة تفضّل العضوية المنتسبة.",
        },
        "commitments": {
            "en": "Respect the humanitarian principles, including neutrality.\n"
            "Work in line with the CPMS.\n"
            "Follow a safeguarding and PSEA code of conduct.",
            "fr": "Respecter les principes humanitaires, dont la neutralité.\n"
            "Travailler conformément aux SMPE.\n"
            "Suivre un code de conduite de sauvegarde et de PSEA.",
            "es": "Respetar los principios humanitarios, incluida la neutralidad.\n"
            "Trabajar conforme a las NMPNAH.\n"
            "Seguir un código de conducta de salvaguarda y PEAS.",
            "ar": "احترام المبادئ الإنسانية، ومنها الحياد.\n"
            "العمل وفق المعايير الدنيا لحماية الطفل.\n"
            "اتباع مدونة سلوك للحماية من الاستغلال والاعتداء الجنسيين.",
        },
    },
]


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
