"""The template's `AWS::Lambda::EventSourceMapping` resources as typed specs, with Lambda's
defaults filled in, so the pollers never read a raw CloudFormation property.

Read them after the queues and tables are provisioned: the source ARN and the destination are
`Fn::GetAtt`s of those resources."""

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template, UnresolvableValue

MAPPING_TYPE = "AWS::Lambda::EventSourceMapping"
FUNCTION_TYPE = "AWS::Lambda::Function"

log = logging.getLogger("vitrine.local.event_sources")

# Properties Lambda honours that the local pollers do not reproduce: said once, at start.
_UNSUPPORTED = ("ParallelizationFactor", "TumblingWindowInSeconds", "MetricsConfig")


class SourceKind(StrEnum):
    SQS = "sqs"
    DYNAMODB_STREAM = "dynamodb"


class StartingPosition(StrEnum):
    LATEST = "LATEST"
    TRIM_HORIZON = "TRIM_HORIZON"


@dataclass(frozen=True, slots=True)
class MappingSpec:
    """One event source mapping, resolved; the field comments give Lambda's defaults."""

    logical_id: str
    function: str  # the name the Invoker knows the function by
    function_logical_id: str | None  # the template's function resource, when it is one
    source_arn: str
    kind: SourceKind
    batch_size: int  # SQS 10, streams 100
    batching_window_s: int = 0
    enabled: bool = True
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None  # SQS only: ScalingConfig.MaximumConcurrency
    starting_position: StartingPosition = StartingPosition.LATEST  # streams only
    maximum_retry_attempts: int = -1  # streams only; -1 retries until the record expires
    bisect_on_error: bool = False  # streams only
    maximum_record_age_s: int = -1  # streams only; -1 keeps records as long as the stream
    on_failure_destination: str | None = None  # streams only: an SQS queue or SNS topic ARN
    filter_patterns: tuple[str, ...] = ()  # FilterCriteria.Filters[].Pattern (JSON text)

    @property
    def retries_forever(self) -> bool:
        return self.maximum_retry_attempts < 0


class UnsupportedEventSource(ValueError):
    """A mapping whose source the local runtime has no poller for (Kinesis, Kafka, MQ)."""


def read_mappings(template: Template) -> list[MappingSpec]:
    """Every event source mapping of `template` that the local pollers can run."""
    specs = []
    for resource in template.of_type(MAPPING_TYPE):
        try:
            specs.append(mapping_spec(template, resource))
        except UnsupportedEventSource as unsupported:
            log.warning(
                "event source mapping %s not run locally: %s", resource.logical_id, unsupported
            )
    return specs


def mapping_spec(template: Template, resource: Resource) -> MappingSpec:
    props = resource.properties
    source_arn = str(template.resolve(props["EventSourceArn"]))
    kind = _kind(source_arn)
    function, function_logical_id = _function(template, props["FunctionName"])
    for name in _UNSUPPORTED:
        if name in props:
            log.warning("%s: %s is not reproduced locally", resource.logical_id, name)
    destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    scaling = props.get("ScalingConfig", {}).get("MaximumConcurrency")
    filters = props.get("FilterCriteria", {}).get("Filters", [])
    return MappingSpec(
        logical_id=resource.logical_id,
        function=function,
        function_logical_id=function_logical_id,
        source_arn=source_arn,
        kind=kind,
        batch_size=int(props.get("BatchSize", 10 if kind is SourceKind.SQS else 100)),
        batching_window_s=int(props.get("MaximumBatchingWindowInSeconds", 0)),
        enabled=_is_true(props.get("Enabled", True)),
        report_batch_item_failures="ReportBatchItemFailures"
        in props.get("FunctionResponseTypes", []),
        maximum_concurrency=int(scaling) if scaling is not None else None,
        starting_position=StartingPosition(props.get("StartingPosition", "LATEST")),
        maximum_retry_attempts=int(props.get("MaximumRetryAttempts", -1)),
        bisect_on_error=_is_true(props.get("BisectBatchOnFunctionError", False)),
        maximum_record_age_s=int(props.get("MaximumRecordAgeInSeconds", -1)),
        on_failure_destination=str(template.resolve(destination)) if destination else None,
        filter_patterns=tuple(str(template.resolve(f["Pattern"])) for f in filters),
    )


def _kind(source_arn: str) -> SourceKind:
    service = source_arn.split(":")[2] if source_arn.count(":") >= 5 else ""
    if service == "sqs":
        return SourceKind.SQS
    if service == "dynamodb" and "/stream/" in source_arn:
        return SourceKind.DYNAMODB_STREAM
    raise UnsupportedEventSource(f"no local poller for {source_arn}")


def _function(template: Template, value: Any) -> tuple[str, str | None]:
    """The function's name (or ARN) and, when it is the template's, its logical id.

    `Ref` of a function is its name; when the local Lambda runtime has not provided it yet,
    the name is the one it will use: FunctionName, or CloudFormation's generated name."""
    resource = template.resources.get(_referenced(value) or "")
    logical_id = resource.logical_id if resource and resource.type == FUNCTION_TYPE else None
    try:
        return str(template.resolve(value)), logical_id
    except UnresolvableValue:
        if resource is None or logical_id is None:
            raise
    explicit = resource.properties.get("FunctionName")
    # As the local Lambda runtime names it: at most 64 characters.
    name = str(template.resolve(explicit)) if explicit else physical_name(template, resource)[:64]
    return name, logical_id


def _referenced(value: Any) -> str | None:
    """X of `{"Ref": X}` or `{"Fn::GetAtt": [X, "Arn"]}`."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    if isinstance(ref := value.get("Ref"), str):
        return ref
    attribute = value.get("Fn::GetAtt")
    if isinstance(attribute, str):
        return attribute.split(".", 1)[0]
    if isinstance(attribute, list) and attribute:
        return str(attribute[0])
    return None


def _is_true(value: Any) -> bool:
    return str(value).lower() == "true"
