from django.core.management.base import BaseCommand

from apps.bank.importer import export_bank


class Command(BaseCommand):
    help = "Write the shipped bank (latest versions) back as YAML, one file per competency."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder to write into (created if missing)")

    def handle(self, *args, directory, **options):
        for path in export_bank(directory):
            self.stdout.write(str(path))
