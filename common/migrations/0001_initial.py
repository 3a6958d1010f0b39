# The e-mail outbox moves from the site app (cpaor) to the shared app. Its table, rows and
# permissions stay: only Django's idea of which app owns the model changes.

from django.db import migrations, models

from common.groups import MEMBERSHIP_REVIEWERS, NEWSLETTER_EDITORS, grant


def move_content_type(apps, schema_editor, source="cpaor", target="common"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=source, model="outboundemail").first()
    if old is None:
        return
    # Permissions hang on the content type: moving it keeps every group's grants.
    ContentType.objects.filter(app_label=target, model="outboundemail").delete()
    old.app_label = target
    old.save(update_fields=["app_label"])


def move_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="common", target="cpaor")


def grant_outbox(apps, schema_editor):
    # Reviewers and editors see the e-mails to applicants and readers, and send again
    # those that failed.
    for group in (MEMBERSHIP_REVIEWERS, NEWSLETTER_EDITORS):
        grant(apps, group, "common", ["outboundemail"], actions=("view", "change"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cpaor", "0004_strategy_title_single_line"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboundEmail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("to", models.JSONField(default=list, verbose_name="to")),
                        ("subject", models.TextField(verbose_name="subject")),
                        ("body", models.TextField(blank=True, verbose_name="text")),
                        ("html", models.TextField(blank=True, verbose_name="HTML")),
                        ("headers", models.JSONField(blank=True, default=dict, verbose_name="headers")),
                        ("context", models.JSONField(blank=True, default=dict, verbose_name="about")),
                        ("status", models.CharField(choices=[("queued", "Waiting to be sent"), ("sent", "Sent"), ("failed", "Failed")], default="queued", max_length=8, verbose_name="status")),
                        ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        ("created", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="queued")),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="next attempt")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                    ],
                    options={
                        "verbose_name": "e-mail",
                        "verbose_name_plural": "e-mails",
                        "db_table": "cpaor_outboundemail",
                        "ordering": ["-created"],
                        "indexes": [models.Index(fields=["status", "created"], name="outbound_email_status")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_back),
        migrations.RunPython(grant_outbox, migrations.RunPython.noop),
    ]
