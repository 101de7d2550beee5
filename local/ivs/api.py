"""The IVS control API of the local channel, as boto3's `ivs` client calls it (rest-json):
`POST /PutMetadata`, `/GetStream`, `/GetChannel`, `/GetStreamKey`, `/StopStream` under the
prefix the routes are mounted at. Functions reach it with
`AWS_ENDPOINT_URL_IVS=http://<gateway><prefix>` (botocore keeps the endpoint's path). Errors
are answered as IVS answers them, so boto3 raises `ivs.exceptions.<code>`. Requests are not
authenticated: nothing checks SigV4 locally."""

import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from functions.common.streaming import StreamState
from local.ivs.channel import LocalIvsChannel
from local.ivs.config import RtmpSource
from local.ivs.errors import (
    ChannelNotBroadcasting,
    IvsApiError,
    ResourceNotFoundException,
    ValidationException,
)

type Body = dict[str, Any]
type Operation = Callable[[Body], Body | None]  # the response body; None: 204 No Content


def ivs_api_routes(
    channel: LocalIvsChannel, *, stream_key_arn: str | None = None
) -> list[BaseRoute]:
    """The API of `channel`, whose one stream key is `stream_key_arn` (None: it has none)."""

    def put_metadata(body: Body) -> None:
        metadata = _string(body, "metadata", "PutMetadata")
        channel.put_metadata(_string(body, "channelArn", "PutMetadata"), metadata)

    def get_stream(body: Body) -> Body:
        arn = _string(body, "channelArn", "GetStream")
        info = channel.stream_info(arn)
        if info.state is StreamState.OFFLINE or info.started_at is None:
            raise ChannelNotBroadcasting("The channel is not live", "GetStream")
        stream = {
            "channelArn": arn,
            "streamId": info.stream_id,
            "playbackUrl": info.playback_url,
            "startTime": _iso8601(info.started_at),
            "state": info.state.value,
            "health": "HEALTHY",
            "viewerCount": 0,  # the stand-in does not count who fetches the HLS
        }
        return {"stream": stream}

    def get_channel(body: Body) -> Body:
        arn = _string(body, "arn", "GetChannel")
        channel.require_channel(arn, "GetChannel")
        config, source = channel.config, channel.config.source
        record: Body = {
            "arn": arn,
            "name": config.channel_name,
            "latencyMode": config.latency_mode,
            "type": config.channel_type,
            "recordingConfigurationArn": config.recording_configuration_arn,
            "playbackUrl": channel.playback_url,
            "authorized": False,
            "insecureIngest": True,  # the local ingest is plain RTMP
            "containerFormat": "TS",
            "tags": {},
        }
        if isinstance(source, RtmpSource):
            record["ingestEndpoint"] = f"{source.host}:{source.port}"  # IVS gives a host too
        return {"channel": record}

    def get_stream_key(body: Body) -> Body:
        arn = _string(body, "arn", "GetStreamKey")
        if arn != stream_key_arn:
            raise ResourceNotFoundException(f"No stream key {arn}", "GetStreamKey")
        source = channel.config.source
        # The key an RTMP publisher uses (ffmpeg does not check it); with the test pattern no
        # encoder publishes, and the key is the one `--source rtmp` would take.
        value = source.stream_key if isinstance(source, RtmpSource) else RtmpSource().stream_key
        key = {"arn": arn, "channelArn": channel.config.channel_arn, "value": value, "tags": {}}
        return {"streamKey": key}

    def stop_stream(body: Body) -> Body:
        channel.stop_stream(_string(body, "channelArn", "StopStream"))
        return {}

    operations: dict[str, Operation] = {
        "PutMetadata": put_metadata,
        "GetStream": get_stream,
        "GetChannel": get_channel,
        "GetStreamKey": get_stream_key,
        "StopStream": stop_stream,
    }
    return [
        Route(f"/{name}", _endpoint(name, operation), methods=["POST"])
        for name, operation in operations.items()
    ]


def _endpoint(name: str, operation: Operation) -> Callable[[Request], Awaitable[Response]]:
    # The channel's API methods never block, so they run on the event loop.
    async def endpoint(request: Request) -> Response:
        try:
            body = _json_object(await request.body(), name)
            result = operation(body)
        except IvsApiError as error:
            return _error(error)
        return Response(status_code=204) if result is None else JSONResponse(result)

    return endpoint


def _error(error: IvsApiError) -> Response:
    # botocore reads the code from x-amzn-ErrorType; the text is IVS's `exceptionMessage`,
    # repeated as `message`, where botocore looks for `Error.Message`.
    return JSONResponse(
        {"exceptionMessage": error.message, "message": error.message},
        status_code=error.status,
        headers={"x-amzn-ErrorType": error.code},
    )


def _json_object(raw: bytes, operation: str) -> Body:
    try:
        body = json.loads(raw or b"{}")
    except ValueError as error:
        raise ValidationException(f"the request body is not JSON: {error}", operation) from error
    if not isinstance(body, dict):
        raise ValidationException("the request body must be a JSON object", operation)
    return body


def _string(body: Body, member: str, operation: str) -> str:
    value = body.get(member)
    if not isinstance(value, str):
        raise ValidationException(f"{member} is required and must be a string", operation)
    return value


def _iso8601(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
