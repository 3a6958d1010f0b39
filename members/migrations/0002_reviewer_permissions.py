from django.db import migrations

from common.groups import CONTENT_EDITORS, EDIT, MEMBERSHIP_REVIEWERS, VIEW, grant


def grant_permissions(apps, schema_editor):
    # Reviewers read and decide applications (through admin actions, which need "change"),
    # keep the member records, edit the "How to get involved" text and answer data requests.
    grant(apps, MEMBERSHIP_REVIEWERS, "members", ["application"], ("view", "change"))
    grant(apps, MEMBERSHIP_REVIEWERS, "members", ["applicationevent"], VIEW)
    grant(apps, MEMBERSHIP_REVIEWERS, "members", ["membership"], ("add", "change", "view"))
    grant(apps, MEMBERSHIP_REVIEWERS, "members", ["membershiptier"], ("change", "view"))
    # The membership form links approved members to partners; reviewers look them up.
    grant(apps, MEMBERSHIP_REVIEWERS, "initiatives", ["partner", "country"], VIEW)
    grant(apps, CONTENT_EDITORS, "members", ["membershiptier"], EDIT)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name=MEMBERSHIP_REVIEWERS).permissions.add(
        Permission.objects.get(content_type__app_label="members", codename="erase_personal_data")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("cpaor", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_permissions, migrations.RunPython.noop)]
