from django.core.management.base import BaseCommand, CommandError

from cpaor.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the database (database.dump) and the uploads (files.tar.gz) to a folder."

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, directory, **options):
        try:
            dump = backup(directory)
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(f"backup written to {dump.parent}")
