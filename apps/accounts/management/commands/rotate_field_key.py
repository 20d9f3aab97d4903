"""``manage.py rotate_field_key``: re-encrypt every secret stored with ``apps.accounts.crypto``
under the first (newest) key of ``FIELD_ENCRYPTION_KEY``.

Rotation: put the new key first (``FIELD_ENCRYPTION_KEY=new,old``), run this, then drop the old
key. A value no configured key decrypts is left as it is and counted (it can never be read
again; for the Greenhouse key, Greenhouse's next call stores it anew).
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from apps.accounts import crypto

# Every (app label, model, field) that holds a crypto.encrypt() token. Add new ones here.
ENCRYPTED_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("ats", "OrganizationAPIKey", "secret_encrypted"),
)
BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        total = rotated = unreadable = 0
        for app_label, model_name, field in ENCRYPTED_FIELDS:
            model = apps.get_model(app_label, model_name)
            rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field)
            for pk, token in rows.iterator(chunk_size=BATCH):
                total += 1
                try:
                    fresh = crypto.reencrypt(token)
                except crypto.InvalidToken:
                    unreadable += 1
                    self.stderr.write(f"{model_name} {pk}: {field} decrypts with no key")
                    continue
                # Conditional: a value written meanwhile (already under the new key) stands.
                rotated += model._default_manager.filter(pk=pk, **{field: token}).update(
                    **{field: fresh}
                )
        self.stdout.write(
            f"{rotated} of {total} stored secrets re-encrypted; {unreadable} unreadable."
        )
