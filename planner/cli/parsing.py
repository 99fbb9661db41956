"""The command line's argument parser and its exit codes."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_ERRORS, EXIT_INVALID = 0, 1, 2


class CommandParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"{self.prog}: {message} (see --help)\n")
