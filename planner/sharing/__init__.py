"""Sharing: who may do what, accounts, who sees what, links, guessing limits and the app's own routes."""
