import os
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

# Each app's seed module has load(stdout); they run in this order.
SEEDERS = [
    "cpaor.seed",
    "initiatives.seed",
    "resources.seed",
    "members.seed",
    "newsletters.seed",
]
# Seeders that can add generated demo content take load(stdout, demo).
DEMO_SEEDERS = {"resources.seed"}


def demo_by_default():
    """CPAOR_DEMO_CONTENT=0/1 decides; without it, demo content everywhere but production."""
    value = os.environ.get("CPAOR_DEMO_CONTENT", "").strip().lower()
    if value:
        return value not in ("0", "false", "no", "off")
    return not getattr(settings, "PRODUCTION", False)


class Command(BaseCommand):
    help = (
        "Load the CP AoR's starting content. Safe to run again: it never overwrites edits. "
        "Generated demo resources are included unless --no-demo (or CPAOR_DEMO_CONTENT=0, "
        "or PRODUCTION=1 without CPAOR_DEMO_CONTENT=1)."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--demo", dest="demo", action="store_true", default=None, help="Add demo content."
        )
        group.add_argument(
            "--no-demo", dest="demo", action="store_false", help="Leave demo content out."
        )
        parser.add_argument(
            "--remove-demo",
            action="store_true",
            help="Delete the demo content loaded before (implies --no-demo).",
        )

    def handle(self, *args, demo=None, remove_demo=False, **options):
        if remove_demo:
            demo = False
        elif demo is None:
            demo = demo_by_default()
        for module_name in SEEDERS:
            module = import_module(module_name)
            if module_name in DEMO_SEEDERS:
                if remove_demo:
                    self.stdout.write(f"Resources: removed {module.remove_demo()} demo resources")
                module.load(stdout=self.stdout, demo=demo)
            else:
                module.load(stdout=self.stdout)
