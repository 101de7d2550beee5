"""Lambda event source mappings, run locally: the template's SQS and DynamoDB stream mappings,
polled and invoked with Lambda's event shapes, batching, deletes, retries and destinations."""

from local.event_sources.mappings import MappingSpec, SourceKind, StartingPosition, read_mappings
from local.event_sources.pollers import EventSourcePollers, PermissionCheck, allow_all
from local.event_sources.stats import MappingStats

__all__ = [
    "EventSourcePollers",
    "MappingSpec",
    "MappingStats",
    "PermissionCheck",
    "SourceKind",
    "StartingPosition",
    "allow_all",
    "read_mappings",
]
