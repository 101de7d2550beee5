"""Sends frames to WebSocket connections through API Gateway's @connections API.

The endpoint is the API's own (from the request context) unless
`AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI` overrides it, as the local gateway does."""

from typing import Any

from pydantic import BaseModel

from functions.common import aws


class Messenger:
    def __init__(self, endpoint: str) -> None:
        self._client = aws.client("apigatewaymanagementapi", endpoint=endpoint)

    @classmethod
    def for_request(cls, request_context: dict[str, Any]) -> "Messenger":
        endpoint = aws.endpoint_url("apigatewaymanagementapi") or (
            f"https://{request_context['domainName']}/{request_context['stage']}"
        )
        return cls(endpoint)

    def send(self, connection_id: str, frame: BaseModel) -> bool:
        """Post one frame; False when the connection is gone (410), so the caller can forget it."""
        try:
            self._client.post_to_connection(
                ConnectionId=connection_id, Data=frame.model_dump_json().encode()
            )
        except self._client.exceptions.GoneException:
            return False
        return True
