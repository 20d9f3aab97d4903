"""`python -m apps.scoring FILE.json` (or `-` for stdin); see `apps.scoring.cli`."""

import sys

from apps.scoring.cli import main

if __name__ == "__main__":
    sys.exit(main())
