# The e-mail outbox now belongs to the shared app (common.0001 takes its state, keeping
# the table); the site app forgets it without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cpaor", "0004_strategy_title_single_line"),
        ("common", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboundEmail")],
            database_operations=[],
        ),
    ]
