"""Entry point for ``python -m planner``."""

import sys

from planner.cli.commands import main

sys.exit(main())
