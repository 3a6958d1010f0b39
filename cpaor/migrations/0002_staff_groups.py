from django.db import migrations

from common.groups import ALL_GROUPS, CONTENT_EDITORS, grant


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ALL_GROUPS:
        Group.objects.get_or_create(name=name)
    grant(apps, CONTENT_EDITORS, "cpaor", ["strategy", "strategygoal"])


class Migration(migrations.Migration):
    dependencies = [
        ("cpaor", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
