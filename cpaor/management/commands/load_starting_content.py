from importlib import import_module

from django.core.management.base import BaseCommand

# Each app's seed module has load(stdout); they run in this order.
SEEDERS = [
    "cpaor.seed",
    "initiatives.seed",
    "resources.seed",
]


class Command(BaseCommand):
    help = "Load the CP AoR's starting content. Safe to run again: it never overwrites edits."

    def handle(self, *args, **options):
        for module_name in SEEDERS:
            import_module(module_name).load(stdout=self.stdout)
