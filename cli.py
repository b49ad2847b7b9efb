"""Run the ``yosan`` command from a checkout: ``python cli.py extract FILE``."""

import sys

from extract.cli import main

if __name__ == "__main__":
    sys.exit(main())
