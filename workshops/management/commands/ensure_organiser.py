"""Make sure an organiser login exists, the way make run promises."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand

DEFAULT_USERNAME = "organisator"


class Command(BaseCommand):
    help = (
        "Creates the organiser superuser from DJANGO_SUPERUSER_USERNAME/_PASSWORD/_EMAIL, "
        "or one with a generated password that is printed once."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME") or DEFAULT_USERNAME
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        user = User.objects.filter(username=username).first()
        if user is None:
            generated = password is None
            password = password or secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email=email, password=password)
            shown = password if generated else "(from DJANGO_SUPERUSER_PASSWORD)"
            self.stdout.write(f"Organiser login created: {username} / {shown}")
            return
        if password:
            # The environment is the source of truth when it names a password.
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(f"Organiser login: {username} / (from DJANGO_SUPERUSER_PASSWORD)")
        else:
            self.stdout.write(
                f"Organiser login: {username} (password as printed when it was created; "
                f"change it with: python manage.py changepassword {username})"
            )
