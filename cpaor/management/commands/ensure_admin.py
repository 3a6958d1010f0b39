import secrets

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' (admin@localhost) with a random password, printed "
        "once. Does nothing if the account exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"The admin account '{username}' already exists. To set a new password: "
                f"python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = User.objects.create_superuser(username=username, email=email, password=password)
            if apps.is_installed("allauth.account"):
                from allauth.account.models import EmailAddress

                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
        self.stdout.write(
            self.style.SUCCESS(f"Created the admin account '{username}' ({email}).")
            + f"\n  Password (shown only this once): {password}"
            + f"\n  To change it later: python manage.py changepassword {username}"
        )
