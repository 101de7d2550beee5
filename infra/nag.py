"""cdk-nag acknowledgements: each construct lists its findings, with their reasons, in one place.

cdk-nag 3 runs as a CDK validation plugin (see app.py): any finding, error or warning, that is
not acknowledged on its construct or on one of the construct's parents fails `cdk synth`.
A finding that names a resource does so by logical id, e.g.
`AwsSolutions-IAM5[Resource::<DataCatalogTable46E90E4C.Arn>/index/*]`; `logical_id()` builds
that name, so an acknowledgement follows the resource instead of a copied hash."""

from collections.abc import Mapping

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, findings: Mapping[str, str]) -> None:
    """Acknowledge each finding id on `construct` (and its children) with its reason."""
    for finding, reason in findings.items():
        if len(reason.split()) < 8:
            raise ValueError(f"acknowledging {finding} needs a specific reason, not {reason!r}")
    Validations.of(construct).acknowledge(
        *(Acknowledgment(id=finding, reason=reason) for finding, reason in findings.items())
    )


def logical_id(construct: IConstruct) -> str:
    """The CloudFormation logical id of an L1 resource, or of an L2's main resource."""
    element = construct if isinstance(construct, CfnElement) else construct.node.default_child
    assert isinstance(element, CfnElement), f"{construct.node.path} has no CloudFormation resource"
    return Stack.of(element).get_logical_id(element)


def table_indexes_finding(table: IConstruct) -> str:
    """The IAM5 finding of any CDK grant on a table with indexes: `<table arn>/index/*`."""
    return f"AwsSolutions-IAM5[Resource::<{logical_id(table)}.Arn>/index/*]"
