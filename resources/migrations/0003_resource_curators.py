from django.db import migrations

from common.groups import RESOURCE_CURATORS, VIEW, grant

MODELS = ["resource", "resourceversion", "topic"]


def grant_resource_curators(apps, schema_editor):
    grant(apps, RESOURCE_CURATORS, "resources", MODELS)
    # Curators pick publishers, places and initiatives in the resource form.
    grant(apps, RESOURCE_CURATORS, "initiatives", ["partner", "region", "country", "initiative"], VIEW)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0002_search_configurations"),
        ("initiatives", "0002_content_editors"),
        ("cpaor", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_resource_curators, migrations.RunPython.noop)]
