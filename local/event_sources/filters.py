"""FilterCriteria: Lambda's event filtering, with moto's EventBridge pattern matcher (the
pattern language is the same). A record no filter matches is not invoked."""

import contextlib
import json
from collections.abc import Sequence
from typing import Any


class RecordFilter:
    def __init__(self, patterns: Sequence[str]) -> None:
        self._patterns: list[Any] = []
        if patterns:
            from moto.events.models import EventPattern  # the local runtime's moto, lazily

            self._patterns = [EventPattern.load(pattern) for pattern in patterns]

    def matches(self, record: dict[str, Any]) -> bool:
        """Whether any pattern matches `record` (a Lambda-shaped record); no filters: all do.
        As Lambda does, an SQS body that is a JSON object is matched as that object."""
        if not self._patterns:
            return True
        subject = record
        if "body" in record:
            with contextlib.suppress(ValueError):  # a plain-text body is matched as text
                subject = record | {"body": json.loads(record["body"])}
        return any(pattern.matches_event(subject) for pattern in self._patterns)
