"""Create an organization and its first admin, and print a one-time link to set a password.

    python manage.py create_org "Northwind Talent" --admin-email ada@northwind.example

The admin gets no password here (none travels through a terminal or a shell history): the link
uses Django's password-reset tokens, so it works once (setting the password spends it), and
expires after PASSWORD_RESET_TIMEOUT (3 days by default). The admin is a member of the
organization only, never platform staff: the Django admin is not theirs.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from apps.accounts.models import Membership, Organization, Role


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_set", args=[uid, token])


class Command(BaseCommand):
    help = "Create an organization and its first admin; print the admin's one-time login link."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organization's name.")
        parser.add_argument("--admin-email", required=True, help="The first admin's e-mail.")
        parser.add_argument("--slug", help="Default: made from the name.")
        parser.add_argument("--username", help="The admin's username. Default: the e-mail.")

    @transaction.atomic
    def handle(self, *args, name, admin_email, slug=None, username=None, **options):
        name = name.strip()
        if not name:
            raise CommandError("The organization needs a name.")
        try:
            validate_email(admin_email)
        except ValidationError:
            raise CommandError(f"Not an e-mail address: {admin_email!r}") from None
        slug = slug or slugify(name)
        if not slug:
            raise CommandError("Give --slug: the name makes no usable slug.")
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"An organization with the slug {slug!r} exists already.")
        User = get_user_model()
        username = username or admin_email
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user {username!r} exists already; give another --username.")

        org = Organization(name=name, slug=slug)
        org.full_clean()
        org.save()
        user = User(username=username, email=admin_email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        Membership.objects.create(user=user, organization=org, role=Role.ADMIN)

        self.stdout.write(f"Created {org.name} ({org.slug}) with admin {user.username}.")
        self.stdout.write("Send the admin this one-time link to set a password and log in:")
        self.stdout.write(f"  {set_password_url(user)}")
        timeout_days = settings.PASSWORD_RESET_TIMEOUT / 86400
        self.stdout.write(f"It works once and expires in {timeout_days:g} days.")
