"""The conflict rules: the engine and its index, the thirteen rules, their messages, the report, change previews, filters."""
