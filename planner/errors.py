"""The one exception type for invalid input, carrying the path to the bad field."""


class PlanError(ValueError):
    """Invalid input: `path` names the field (``events[3].venue``), `reason` says what is wrong.

    ``str(error)`` is the one line the CLI and the app show: ``events[3].venue: unknown venue 'x'``.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
