"""Handlers for the local runtime's own tests: they run in the local Lambda workers."""
