"""The template's Secrets Manager secrets, created in the embedded AWS.

A secret with `GenerateSecretString` gets a random value of the requested length and alphabet,
as CloudFormation generates it; creating it again against a kept endpoint keeps its value (a
storefront that holds a copy of the key must not lose it at the next `make dev`)."""

import json
from typing import Any

from local.cloudformation.names import physical_name
from local.cloudformation.template import Resource, Template

SECRET_TYPE = "AWS::SecretsManager::Secret"


def provision_secrets(template: Template, secretsmanager: Any) -> None:
    """Create every `AWS::SecretsManager::Secret` of `template`; provide Ref (its ARN) and Id."""
    for resource in template.of_type(SECRET_TYPE):
        _secret(template, resource, secretsmanager)


def _secret(template: Template, resource: Resource, secretsmanager: Any) -> None:
    props = resource.properties
    name = props.get("Name") or physical_name(template, resource)
    try:
        arn = secretsmanager.describe_secret(SecretId=name)["ARN"]
    except secretsmanager.exceptions.ResourceNotFoundException:
        arn = secretsmanager.create_secret(
            Name=name,
            Description=props.get("Description", ""),
            SecretString=_value(props, secretsmanager),
        )["ARN"]
    template.provide(resource.logical_id, Ref=arn, Id=arn)


def _value(props: dict[str, Any], secretsmanager: Any) -> str:
    if "SecretString" in props:
        return str(props["SecretString"])
    generate = props.get("GenerateSecretString", {})
    # The template's options have the same names as GetRandomPassword's parameters.
    options = {
        key: generate[key]
        for key in (
            "PasswordLength",
            "ExcludeCharacters",
            "ExcludeNumbers",
            "ExcludePunctuation",
            "ExcludeUppercase",
            "ExcludeLowercase",
            "IncludeSpace",
            "RequireEachIncludedType",
        )
        if key in generate
    }
    password = str(secretsmanager.get_random_password(**options)["RandomPassword"])
    if "SecretStringTemplate" in generate:  # a JSON document with the password as one key
        document = json.loads(generate["SecretStringTemplate"])
        document[generate["GenerateStringKey"]] = password
        return json.dumps(document)
    return password
