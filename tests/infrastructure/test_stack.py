"""The synthesized stack as a whole: its name and file, cdk-nag's verdict, cfn-lint's."""

import json
from pathlib import Path

import pytest
from aws_cdk import aws_s3 as s3
from cfnlint.api import ManualArgs, lint_file

from infra.app import build_app
from infra.stack import STACK_NAME
from infra.synth import SKIP_BUNDLING, cdk_json_context
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

# The regions a brand is likeliest to deploy to, all of which have IVS.
LINT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"]
# W3005 "dependency already enforced": CDK's functions state DependsOn on their role and its
# policy on purpose (the policy is not referenced, so the role alone would not order it).
LINT_IGNORED = ["W3005"]


def test_the_stack_is_vitrinestack_where_the_local_runtime_reads_it(
    default_stack: Synthesized,
) -> None:
    assert STACK_NAME == "VitrineStack"
    assert default_stack.template_path == default_stack.outdir / "VitrineStack.template.json"


def test_cdk_nag_reports_no_unacknowledged_finding(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    for synthesized in (default_stack, custom_stack):
        # CDK writes this report only when a validation plugin ran: no file, no cdk-nag.
        report = json.loads((synthesized.outdir / "validation-report.json").read_text())
        violations = [
            f"{violation['ruleName']} at {construct['constructPath']}"
            for plugin in report["pluginReports"]
            for violation in plugin["violations"]
            for construct in violation["violatingConstructs"]
        ]
        assert violations == []


def test_cdk_nag_fails_the_synth_on_any_unacknowledged_finding(
    tmp_path: Path, site_dir: Path
) -> None:
    app = build_app(
        outdir=str(tmp_path),
        context={**cdk_json_context(), **SKIP_BUNDLING},
        site_dir=site_dir,
    )
    # Unencrypted transport and no access logs: AwsSolutions-S10 and -S1.
    s3.Bucket(app.node.find_child(STACK_NAME), "CarelessBucket")

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()

    report = json.loads((tmp_path / "validation-report.json").read_text())
    (plugin,) = report["pluginReports"]
    assert plugin["pluginName"] == "AwsSolutions"
    findings = {
        (violation["ruleName"], construct["constructPath"])
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    }
    assert findings == {
        ("AwsSolutions-S1", f"{STACK_NAME}/CarelessBucket/Resource"),
        ("AwsSolutions-S10", f"{STACK_NAME}/CarelessBucket/Resource"),
    }


def test_acknowledgements_are_recorded_with_their_reasons(default_stack: Synthesized) -> None:
    metadata = json.loads((default_stack.outdir / f"{STACK_NAME}.metadata.json").read_text())
    acknowledged = {
        rule: reason
        for entries in metadata.values()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
    }

    assert acknowledged
    assert all(len(reason.split()) >= 8 for reason in acknowledged.values())


@pytest.mark.parametrize("name", ["default_stack", "custom_stack"])
def test_cfn_lint_finds_nothing(name: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(name)

    matches = lint_file(
        synthesized.template_path,
        ManualArgs(regions=LINT_REGIONS, ignore_checks=LINT_IGNORED),
    )

    assert [str(match) for match in matches] == []
