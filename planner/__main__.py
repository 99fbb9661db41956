"""Entry point for ``python -m planner``."""

import sys

from .cli import main

sys.exit(main())
