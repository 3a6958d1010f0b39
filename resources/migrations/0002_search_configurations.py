"""Text search configurations that ignore accents: each language's stemmer after unaccent.

"localizacion" and "localización" become the same lexeme, whichever the person typed.
Plain SQL that PostgreSQL 15 and 18 both accept.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

STEMMERS = {
    "cpaor_english": ("english", "english_stem"),
    "cpaor_french": ("french", "french_stem"),
    "cpaor_spanish": ("spanish", "spanish_stem"),
    "cpaor_arabic": ("arabic", "arabic_stem"),
}
TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"

CREATE = "\n".join(
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};\n"
    f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{base});\n"
    f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {TOKENS} "
    f"WITH unaccent, {stem};"
    for name, (base, stem) in STEMMERS.items()
)
DROP = "\n".join(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};" for name in STEMMERS)


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CREATE, DROP),
    ]
