"""The `@connections` management API that functions post to (POST, GET, DELETE), as API
Gateway serves it: boto3's `apigatewaymanagementapi` works against it unchanged."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from local.apigateway.connections import ConnectionHub


class ConnectionsApi:
    def __init__(self, hub: ConnectionHub) -> None:
        self.hub = hub

    async def handle(self, request: Request) -> Response:
        connection_id = request.path_params["connection_id"]
        client = self.hub.get(connection_id)
        if client is None:
            # boto3 raises GoneException from this header, as API Gateway sends it.
            return JSONResponse(
                {"message": None}, status_code=410, headers={"x-amzn-errortype": "GoneException"}
            )
        if request.method == "POST":
            self.hub.post(connection_id, _frame(await request.body()))
            return Response(status_code=200)
        if request.method == "GET":
            return JSONResponse(self.hub.describe(client))
        await self.hub.disconnect(connection_id)
        return Response(status_code=204)


def _frame(data: bytes) -> str | bytes:
    """What API Gateway sends for posted data: a text frame (what browsers' JSON.parse
    expects in `event.data`), unless the data is not UTF-8."""
    try:
        return data.decode()
    except UnicodeDecodeError:
        return data
