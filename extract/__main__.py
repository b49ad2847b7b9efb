"""``python -m yosan``: the ``yosan`` command."""

import sys

from .cli import main

sys.exit(main())
