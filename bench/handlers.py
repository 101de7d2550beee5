"""Handlers for the benchmarks: they do nothing, so what is measured is the runtime's cost."""

from typing import Any


def noop(event: Any, context: Any) -> None:
    return None
