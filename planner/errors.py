"""The one exception type for invalid input, carrying the path to the bad field."""

import re

# Characters that would break the one-line message (or a terminal) are shown escaped.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class PlanError(ValueError):
    """Invalid input: `path` names the field (``events[3].venue``), `reason` says what is wrong.

    ``str(error)`` is the one line the CLI and the app show: ``events[3].venue: unknown venue 'x'``.
    """

    def __init__(self, path: str, reason: str):
        self.path = _one_line(path)
        self.reason = _one_line(reason)
        super().__init__(f"{self.path}: {self.reason}" if path else self.reason)
