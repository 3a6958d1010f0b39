from django.db import migrations

from common.groups import CONTENT_EDITORS, grant

MODELS = ["initiative", "objective", "milestone", "contact", "partner", "region", "country", "theme"]


def grant_content_editors(apps, schema_editor):
    grant(apps, CONTENT_EDITORS, "initiatives", MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0001_initial"),
        ("cpaor", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_content_editors, migrations.RunPython.noop)]
