"""A synthesized Vitrine app, for the infrastructure tests and the runtime's template.

aws_cdk is imported when an app is synthesized, never at collection: unit tests start no jsii."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template_path: Path
    body: dict[str, Any]  # the template as JSON, for questions assertions cannot ask
    template: Any  # aws_cdk.assertions.Template

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.body["Resources"].items()
            if resource["Type"] == resource_type
        }

    def resource(self, resource_type: str, logical_id_prefix: str) -> dict[str, Any]:
        """The one resource of this type whose logical id starts with the construct path."""
        (resource,) = (
            resource
            for logical_id, resource in self.resources(resource_type).items()
            if logical_id.startswith(logical_id_prefix)
        )
        return resource

    def logical_id(self, resource_type: str, logical_id_prefix: str) -> str:
        (logical_id,) = (
            logical_id
            for logical_id in self.resources(resource_type)
            if logical_id.startswith(logical_id_prefix)
        )
        return logical_id

    def function_id(self, handler: str) -> str:
        """The logical id of the one function with this handler."""
        (logical_id,) = (
            logical_id
            for logical_id, function in self.resources("AWS::Lambda::Function").items()
            if function["Properties"].get("Handler") == handler
        )
        return logical_id

    def alarms(self) -> list[dict[str, Any]]:
        return [alarm["Properties"] for alarm in self.resources("AWS::CloudWatch::Alarm").values()]

    def alarm_on(self, namespace: str, metric: str, dimension: dict[str, Any]) -> dict[str, Any]:
        """The one alarm on `metric` whose dimensions include `dimension` (name -> value)."""
        (alarm,) = (
            alarm
            for alarm in self.alarms()
            if alarm["Namespace"] == namespace
            and alarm["MetricName"] == metric
            and dimension in [{d["Name"]: d["Value"]} for d in alarm["Dimensions"]]
        )
        return alarm

    def function(self, handler: str) -> dict[str, Any]:
        (function,) = (
            resource
            for resource in self.resources("AWS::Lambda::Function").values()
            if resource["Properties"].get("Handler") == handler
        )
        return function


def synthesize_app(outdir: Path, **kwargs: Any) -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.synth import synthesize

    template_path = synthesize(outdir, **kwargs)
    body = json.loads(template_path.read_text())
    return Synthesized(outdir, template_path, body, Template.from_json(body))
