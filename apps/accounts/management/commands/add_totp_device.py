"""Register a TOTP device (an authenticator app) for a platform staff user, for the Django
admin's two-factor login (ADMIN_REQUIRE_OTP).

    python manage.py add_totp_device staff

Prints the otpauth:// URI to add to the app (most apps accept it pasted, or as a QR code made
from it) and the secret in base32. Run it on the server, for the staff member in person.
"""

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Add a TOTP device for a platform staff user (the Django admin's second factor)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="A name for the device.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not (user.is_staff and user.is_superuser):
            raise CommandError(
                f"{username!r} is not platform staff: the admin is for superusers only, "
                "and organizations' people never use it."
            )
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"Added TOTP device {name!r} for {username}. Add it to the app:")
        self.stdout.write(f"  {device.config_url}")
        self.stdout.write(f"  secret (base32): {b32encode(device.bin_key).decode()}")
