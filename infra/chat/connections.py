"""Grants on the WebSocket stage's @connections API, one HTTP method at a time.

`WebSocketStage.grant_management_api_access` allows every method (POST a frame, GET a
connection, DELETE it): a function that only posts must not be able to close a viewer's
socket, so Vitrine grants each method it uses and no other."""

from enum import StrEnum

from aws_cdk import Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from infra.nag import acknowledge, logical_id


class ConnectionsMethod(StrEnum):
    POST = "POST"  # send a frame (PostToConnection)
    DELETE = "DELETE"  # close the socket (DeleteConnection)


def connections_arn(stage: apigwv2.WebSocketStage, method: ConnectionsMethod) -> str:
    """arn:…:execute-api:<region>:<account>:<api>/<stage>/<method>/@connections/*"""
    return Stack.of(stage).format_arn(
        service="execute-api",
        resource=stage.api.api_id,
        resource_name=f"{stage.stage_name}/{method}/@connections/*",
    )


def grant_connections(
    stage: apigwv2.WebSocketStage, function: lambda_.Function, *methods: ConnectionsMethod
) -> None:
    """Allow `function` these @connections methods on any connection of this stage."""
    function.add_to_role_policy(
        iam.PolicyStatement(
            actions=["execute-api:ManageConnections"],
            resources=[connections_arn(stage, method) for method in methods],
        )
    )
    assert function.role is not None  # PythonFunctions gives every function its own role
    api = logical_id(stage.api)
    acknowledge(
        function.role,
        {
            (
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:"
                f"<AWS::AccountId>:<{api}>/{stage.stage_name}/{method}/@connections/*]"
            ): (
                f"Connection ids are created at run time: this function may {method} any "
                "connection of this API's stage, only that method and only this stage."
            )
            for method in methods
        },
    )
