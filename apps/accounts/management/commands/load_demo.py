"""Load the demo organizations and people (fixtures/demo/organizations.yaml). Idempotent."""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Organization


class Command(BaseCommand):
    help = "Create or refresh the demo organizations and users, then print how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(settings.BASE_DIR / "fixtures" / "demo" / "organizations.yaml")
        )

    @transaction.atomic
    def handle(self, *args, file, **options):
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8"))
        password = data["password"]
        User = get_user_model()
        lines = []
        for org_data in data["organizations"]:
            org, _ = Organization.objects.update_or_create(
                slug=org_data["slug"], defaults={"name": org_data["name"]}
            )
            for m in org_data["members"]:
                user, created = User.objects.get_or_create(
                    username=m["username"],
                    defaults={
                        "email": m["email"],
                        "first_name": m["first_name"],
                        "last_name": m["last_name"],
                    },
                )
                if created or not user.has_usable_password():
                    user.set_password(password)
                user.is_staff = user.is_superuser = bool(m.get("superuser"))
                user.save()
                Membership.objects.update_or_create(
                    user=user, organization=org, defaults={"role": m["role"]}
                )
                lines.append(f"  {m['username']:<13} {m['role']:<12} {org.name}")
        self.stdout.write(f"Demo logins (password: {password}):")
        self.stdout.write("\n".join(lines))
