"""``manage.py rotate_field_key``: re-encrypt every secret stored with ``apps.accounts.crypto``
under the first (newest) key of ``FIELD_ENCRYPTION_KEY``.

Rotation: put the new key first (``FIELD_ENCRYPTION_KEY=new,old``), run this, then drop the old
key. A value no configured key decrypts is left as it is and counted (it can never be read
again; for the Greenhouse key, Greenhouse's next call stores it anew).
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from apps import outbox
from apps.accounts import crypto

# Every (app label, model, field) that holds a crypto.encrypt() token. Add new ones here.
# (Pending outbox rows hold tokens too, under their kind's ``secret_keys``: handled below.)
ENCRYPTED_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("ats", "OrganizationAPIKey", "secret_encrypted"),
    ("shortlists", "ShareLink", "token_sealed"),
)
BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt stored secrets with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        self.total = self.rotated = self.unreadable = 0
        for app_label, model_name, field in ENCRYPTED_FIELDS:
            model = apps.get_model(app_label, model_name)
            rows = model._default_manager.exclude(**{field: ""}).values_list("pk", field)
            for pk, token in rows.iterator(chunk_size=BATCH):
                fresh = self._reencrypt(token, f"{model_name} {pk}: {field}")
                # Conditional: a value written meanwhile (already under the new key) stands.
                if fresh is not None:
                    self.rotated += model._default_manager.filter(pk=pk, **{field: token}).update(
                        **{field: fresh}
                    )
        self._rotate_outbox()
        self.stdout.write(
            f"{self.rotated} of {self.total} stored secrets re-encrypted; "
            f"{self.unreadable} unreadable."
        )

    def _reencrypt(self, token: str, label: str) -> str | None:
        self.total += 1
        try:
            return crypto.reencrypt(token)
        except crypto.InvalidToken:
            self.unreadable += 1
            self.stderr.write(f"{label} decrypts with no key")
            return None

    def _rotate_outbox(self) -> None:
        """Pending outbox rows (an e-mail waiting out a broker outage or a retry) keep their
        secrets until sent; once final they are blanked, so only pending rows matter."""
        from apps.outbox.models import OutboxMessage

        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        for message in pending.only("pk", "kind", "payload").iterator(chunk_size=BATCH):
            registered = outbox.kind(message.kind)
            payload = dict(message.payload or {})
            changed = 0
            for key in registered.secret_keys if registered else ():
                if payload.get(key):
                    fresh = self._reencrypt(payload[key], f"OutboxMessage {message.pk}: {key}")
                    if fresh is not None:
                        payload[key] = fresh
                        changed += 1
            if changed:
                # Conditional: a row sent or superseded meanwhile stands.
                self.rotated += changed * OutboxMessage.objects.filter(
                    pk=message.pk, status=OutboxMessage.Status.PENDING, payload=message.payload
                ).update(payload=payload)
