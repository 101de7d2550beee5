"""Lambda's Invoke REST API on top of an `Invoker`, for clients that call Lambda over HTTP.

Step Functions tasks (moto's executor) and any boto3 `lambda` client pointed here get the
responses Lambda gives: 200 with the handler's result; 200 with `X-Amz-Function-Error: Unhandled`
and `{"errorType", "errorMessage", "stackTrace"}` when the handler fails; 202 for an `Event`
invocation (run in the background); 404 `ResourceNotFoundException` for an unknown function.

Mount the routes at any prefix (`Mount("/local/lambda", routes=lambda_invoke_routes(invoker))`);
a boto3 client whose `endpoint_url` carries that prefix keeps it in every request path."""

import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from local.awslambda.invocation import Invocation, Invoker, UnknownFunction

log = logging.getLogger("vitrine.lambda")

INVOKE_PATH = "/2015-03-31/functions/{function_name}/invocations"
TRIGGER = "invoke-api"


def lambda_invoke_routes(
    invoker: Invoker,
    *,
    trigger: str = TRIGGER,
    knows: Callable[[str], bool] | None = None,
) -> list[Route]:
    """The Invoke operation, relative to wherever the routes are mounted. `trigger` is what
    the invocations are logged as (e.g. "states" when only Step Functions calls it). `knows`
    tells whether a function exists, so that an `Event` or `DryRun` invocation of an unknown
    one is refused at once, as Lambda refuses it."""

    async def invoke(request: Request) -> Response:
        function = request.path_params["function_name"]
        if qualifier := request.query_params.get("Qualifier"):
            function = f"{function}:{qualifier}"
        invocation_type = request.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        body = await request.body()
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError:
            return _error(400, "InvalidRequestContentException", "Could not parse request body")
        if invocation_type == "RequestResponse":
            try:
                invocation = await to_thread.run_sync(
                    lambda: invoker.invoke(function, event, trigger=trigger)
                )
            except UnknownFunction:
                return _not_found(function)
            return _result(invocation)
        if invocation_type in ("Event", "DryRun") and knows is not None and not knows(function):
            return _not_found(function)
        if invocation_type == "Event":
            # Lambda queues the event and answers at once; a thread of its own keeps a slow
            # function from holding this connection (as a Starlette background task would).
            threading.Thread(
                target=_invoke_in_background, args=(invoker, function, event, trigger), daemon=True
            ).start()
            return Response(status_code=202, headers={"x-amzn-RequestId": str(uuid.uuid4())})
        if invocation_type == "DryRun":
            return Response(status_code=204)
        return _error(
            400, "InvalidParameterValueException", f"Unknown InvocationType: {invocation_type}"
        )

    return [Route(INVOKE_PATH, invoke, methods=["POST"])]


def _result(invocation: Invocation) -> Response:
    headers = {
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-RequestId": invocation.request_id or str(uuid.uuid4()),
    }
    payload: Any = invocation.payload
    if invocation.error is not None:
        headers["X-Amz-Function-Error"] = "Unhandled"
        payload = invocation.error.payload()
    return Response(json.dumps(payload), headers=headers, media_type="application/json")


def _invoke_in_background(invoker: Invoker, function: str, event: Any, trigger: str) -> None:
    try:
        invocation = invoker.invoke(function, event, trigger=trigger)
    except UnknownFunction:
        log.warning("asynchronous invocation of unknown function %s dropped", function)
        return
    if invocation.error is not None:
        log.warning(
            "asynchronous invocation of %s failed: %s: %s",
            function,
            invocation.error.error_type,
            invocation.error.message,
        )


def _not_found(function: str) -> Response:
    return _error(404, "ResourceNotFoundException", f"Function not found: {function}")


def _error(status: int, code: str, message: str) -> Response:
    # Lambda's error shape: botocore reads the code from this header, the message from the body.
    return JSONResponse(
        {"Type": "User", "Message": message},
        status_code=status,
        headers={"x-amzn-ErrorType": code, "x-amzn-RequestId": str(uuid.uuid4())},
    )
