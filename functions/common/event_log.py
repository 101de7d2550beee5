"""The event log adapter: appends typed events to a show's log and reads them back in order."""

from collections.abc import Iterator

from functions.common.events import ShowEvent
from functions.common.models import EventModel


def append(event: ShowEvent) -> None:
    EventModel.from_event(event).save()


def events_of(show_id: str) -> Iterator[ShowEvent]:
    """Every event of a show, oldest first."""
    for item in EventModel.query(show_id):
        yield item.to_event()
