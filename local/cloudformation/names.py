"""Physical names like the ones CloudFormation generates for unnamed resources."""

from local.cloudformation.template import Resource, Template


def physical_name(template: Template, resource: Resource, *, lowercase: bool = False) -> str:
    """A name like CloudFormation's generated ones: stack, logical id (buckets lowercase)."""
    name = f"{template.stack_name}-{resource.logical_id}"
    return name.lower()[:63] if lowercase else name
