import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.bank.importer import BankImportError, import_bank


class Command(BaseCommand):
    help = (
        "Validate the bank's YAML files, then upsert them atomically by key. With any error, "
        "every error is listed (file, line, key, field) and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="YAML files or folders (default: fixtures/bank/)"
        )

    def handle(self, *args, paths, **options):
        files = expand_paths(paths or [settings.BASE_DIR / "fixtures" / "bank"])
        started = time.perf_counter()
        try:
            report = import_bank(files)
        except BankImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Imported {len(files)} file(s) in {elapsed:.2f} s: {report}")


def expand_paths(paths) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        else:
            files.append(path)
    return files
