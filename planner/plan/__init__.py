"""The plan: its model, reading and writing the document, wall time, travel, changes between versions."""
