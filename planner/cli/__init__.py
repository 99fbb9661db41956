"""The command line: `python -m planner`."""
