"""The words the benchmark's library is made of: pseudo-words in a Zipf distribution in
English, French, Spanish and Arabic, with the CP AoR's domain words among them, and the
searches timed."""

import random


def listed(text):
    """The words of text, in order (repeats kept: they weigh in the draws)."""
    return text.split()


WORDS = {
    "en": listed(
        "child protection coordination humanitarian response emergency guidance toolkit "
        "case management psychosocial support localisation government engagement families "
        "violence prevention education schools displacement migration assessment needs "
        "analysis framework caregivers community services monitoring evaluation training "
        "partners cluster leadership capacity preparedness safety wellbeing separated "
        "unaccompanied children adolescents survivors referral pathways standards minimum "
        "data information mine risk awareness food security nutrition livelihoods shelter "
        "conflict armed violence states authorities advocacy policy funding"
    ),
    "fr": listed(
        "protection enfance coordination humanitaire réponse urgence orientation outils "
        "gestion cas soutien psychosocial localisation gouvernement engagement familles "
        "prévention violence éducation écoles déplacement migration évaluation besoins "
        "analyse cadre aidants communauté services suivi formation partenaires leadership "
        "capacités préparation sécurité bien-être enfants séparés non accompagnés "
        "adolescents survivants référencement normes minimales données information mines "
        "risques sécurité alimentaire nutrition moyens subsistance abri conflit armé "
        "États autorités plaidoyer politique financement"
    ),
    "es": listed(
        "protección niñez coordinación humanitaria respuesta emergencia orientación "
        "herramientas gestión casos apoyo psicosocial localización gobierno participación "
        "familias prevención violencia educación escuelas desplazamiento migración "
        "evaluación necesidades análisis marco cuidadores comunidad servicios seguimiento "
        "formación socios liderazgo capacidades preparación seguridad bienestar niños "
        "separados adolescentes sobrevivientes derivación normas mínimas datos "
        "información minas riesgo seguridad alimentaria nutrición medios vida albergue "
        "conflicto armado Estados autoridades incidencia política financiación"
    ),
    "ar": listed(
        "حماية الطفل تنسيق الاستجابة الإنسانية الطوارئ توجيهات أدوات إدارة الحالات الدعم "
        "النفسي الاجتماعي التوطين الحكومة المشاركة الأسر الوقاية من العنف التعليم المدارس "
        "النزوح الهجرة التقييم الاحتياجات التحليل الإطار مقدمي الرعاية المجتمع الخدمات "
        "الرصد التدريب الشركاء القيادة القدرات التأهب السلامة الرفاه الأطفال المنفصلين "
        "المراهقين الناجين الإحالة المعايير الدنيا البيانات المعلومات الألغام المخاطر "
        "الأمن الغذائي التغذية سبل العيش المأوى النزاع المسلح الدول السلطات المناصرة "
        "السياسات التمويل"
    ),
}

# Searches in each language: a common pair of words, and a rarer word (accents left out,
# as people type them).
SEARCHES = {
    "en": ["case management", "localisation", "mine risk", "psychosocial support"],
    "fr": ["gestion des cas", "localisation", "prevention violence", "evaluation besoins"],
    "es": ["gestion de casos", "localizacion", "proteccion ninez", "evaluacion"],
    "ar": ["إدارة الحالات", "التوطين", "الألغام", "الدعم النفسي"],
}
# Language of a resource's main text: mostly English, as in the real library.
LANGUAGE_WEIGHTS = {"en": 0.55, "fr": 0.2, "es": 0.15, "ar": 0.1}
TYPES = listed(
    "toolkit guidance tool report case-study infographic one-pager training-material policy "
    "assessment video other"
)


SYLLABLES = {
    "en": "ba be bi bo con de den el er for in ing is ly ment pro re ter tion un",
    "fr": "la le de ré en ment tion eur ique con pro ais eau é è tre ble dé",
    "es": "la el de ción es ado ida con pro re ma te ría cia mente dad os as",
    "ar": "ال م ت س ك ن ي و ر ل ب ح ع د ق ف ج ة ا",
}


def vocabulary(rng, language, size=4000):
    """(words, cumulative weights): pseudo-words with the domain's words among them, in a
    Zipf distribution, so a search word matches a few per cent of the library, not all."""
    syllables = SYLLABLES[language].split()
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    words = sorted(words)  # a set's order changes from run to run; the library must not
    for word in WORDS[language]:
        words.insert(rng.randint(15, 1500), word)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1 / (rank + 10)
        cumulative.append(total)
    return words, cumulative


VOCABULARIES = {}


def text(rng, language, words, domain=0.0):
    """words words of language; a share `domain` of them from the domain's own words."""
    if language not in VOCABULARIES:
        VOCABULARIES[language] = vocabulary(random.Random(language), language)
    vocabulary_, cumulative = VOCABULARIES[language]
    chosen = rng.choices(vocabulary_, cum_weights=cumulative, k=words)
    if domain:
        for index in range(words):
            if rng.random() < domain:
                chosen[index] = rng.choice(WORDS[language])
    return " ".join(chosen)
