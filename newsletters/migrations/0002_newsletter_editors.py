from django.db import migrations

from common.groups import NEWSLETTER_EDITORS, VIEW, grant

MODELS = ["newsletterlist", "subscriber", "issue"]


def grant_newsletter_editors(apps, schema_editor):
    grant(apps, NEWSLETTER_EDITORS, "newsletters", MODELS)
    # Consent records and deliveries are written by the portal only; editors read them.
    grant(apps, NEWSLETTER_EDITORS, "newsletters", ["consentrecord", "delivery", "subscription"], VIEW)
    # Editors pick featured resources and initiatives in the issue form.
    grant(apps, NEWSLETTER_EDITORS, "resources", ["resource"], VIEW)
    grant(apps, NEWSLETTER_EDITORS, "initiatives", ["initiative"], VIEW)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("resources", "0003_resource_curators"),
        ("initiatives", "0002_content_editors"),
        ("cpaor", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_newsletter_editors, migrations.RunPython.noop)]
