from django.db import migrations

from common.groups import NEWSLETTER_EDITORS, VIEW, grant


def grant_newsletter_editors(apps, schema_editor):
    # Editors upload the images of their issues, and read who bounced or complained.
    grant(apps, NEWSLETTER_EDITORS, "newsletters", ["issueimage"])
    grant(apps, NEWSLETTER_EDITORS, "newsletters", ["bouncereport"], VIEW)


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0004_readers_bounces_images")]

    operations = [migrations.RunPython(grant_newsletter_editors, migrations.RunPython.noop)]
