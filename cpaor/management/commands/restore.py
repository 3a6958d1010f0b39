from django.core.management.base import BaseCommand, CommandError

from cpaor.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database and add back the uploads from a folder written by backup."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, directory, yes, **options):
        if not yes:
            answer = input("This replaces every table of the database. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            restore(directory)
        except BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        self.stdout.write(f"restored from {directory}")
