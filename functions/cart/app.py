"""The REST API: a Chalice app behind API Gateway (CDK mirrors `app.routes` into resources).

Routes stay thin: parse the request, call the catalog, shape the response."""

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import (
    BadRequestError,
    Chalice,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    Request,
    Response,
    UnauthorizedError,
)
from pydantic import ValidationError

from functions.cart.dal import catalog
from functions.cart.logic.cors import cors_headers
from functions.cart.logic.shows import ShowDraft
from functions.common.auth import InvalidToken, StaffIdentity, StaffTokenVerifier
from functions.common.events import StaffRole
from functions.common.models import ShowStatus
from functions.common.observability import logger
from functions.common.settings import MissingSetting, Settings
from functions.common.streaming import IvsStreaming, NoIngestEndpoint, StreamingUnavailable

app = Chalice(app_name="vitrine-api")


@app.middleware("http")
def allowed_origins(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """CORS for the brand's allowed origins (API Gateway answers the preflights in AWS)."""
    response = get_response(request)
    allowed = Settings.from_env().allowed_origins
    response.headers.update(cors_headers(request.headers.get("origin"), allowed))
    return response


def _request() -> Request:
    """The request being served: Chalice sets it before it calls a route."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no request is being served")
    return request


def _json_body() -> dict[str, Any]:
    try:
        body = _request().json_body
    except BadRequestError as error:
        raise BadRequestError("the request body is not valid JSON") from error
    if not isinstance(body, dict):
        raise BadRequestError("the request body must be a JSON object")
    return body


def _validation_message(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in issue['loc']) or 'body'}: {issue['msg']}"
        for issue in error.errors()
    )


_ERROR_CODES = {409: "ConflictError", 503: "ServiceUnavailableError"}


def _error(status_code: int, message: str) -> Response:
    """An error in Chalice's shape that is never cached (Chalice has no class for a 503)."""
    return Response(
        {"Code": _ERROR_CODES[status_code], "Message": message},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def _staff(*roles: StaffRole) -> StaffIdentity:
    verifier = StaffTokenVerifier.from_settings(Settings.from_env())
    try:
        staff = verifier.verify(_request().headers.get("authorization"))
    except InvalidToken as error:
        raise UnauthorizedError(str(error)) from error
    if not staff.can(*roles):
        raise ForbiddenError(f"a {staff.role} may not do this")
    return staff


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok", "brand": Settings.from_env().brand_name}


@app.route("/shows", methods=["GET"])
def list_shows() -> dict[str, list[dict[str, Any]]]:
    params: Mapping[str, str] = _request().query_params or {}
    try:
        status = ShowStatus(params.get("status", ShowStatus.SCHEDULED))
    except ValueError as error:
        raise BadRequestError(f"status must be one of {[s.value for s in ShowStatus]}") from error
    shows = catalog.list_shows(status)
    return {"shows": [show.model_dump(mode="json") for show in shows]}


@app.route("/shows/{show_id}", methods=["GET"])
def get_show(show_id: str) -> dict[str, Any]:
    show = catalog.get_show(show_id)
    if show is None:
        raise NotFoundError(f"no show {show_id}")
    return show.model_dump(mode="json")


@app.route("/shows", methods=["POST"])
def create_show() -> Response:
    _staff(StaffRole.HOST)
    try:
        draft = ShowDraft.model_validate(_json_body())
    except ValidationError as error:
        raise BadRequestError(_validation_message(error)) from error
    try:
        show = catalog.create_show(draft)
    except catalog.ShowAlreadyExists as error:
        raise ConflictError(f"show {draft.show_id} already exists") from error
    return Response(show.model_dump(mode="json"), status_code=201)


NO_ENCODER = (
    "This channel takes no encoder right now: IVS gives it no ingest endpoint. Locally, the "
    'channel broadcasts its test pattern: start with `make dev ARGS="--source rtmp"` to stream '
    "from OBS or a phone app."
)


@app.route("/studio/ingest", methods=["GET"])
def studio_ingest() -> Response:
    """The ingest server and stream key of the show channel, for the host's encoder. The key
    lets anyone broadcast as the brand: hosts and admins only, and never cached."""
    _staff(StaffRole.HOST)
    settings = Settings.from_env()
    try:
        ingest = IvsStreaming().ingest(
            settings.require("channel_arn"), settings.require("stream_key_arn")
        )
    except MissingSetting as error:
        logger().error("no channel or stream key for the studio", extra={"error": str(error)})
        return _error(503, f"This deployment gives the API no channel or stream key ({error}).")
    except NoIngestEndpoint:
        return _error(409, NO_ENCODER)
    except StreamingUnavailable as error:
        logger().warning("the stream settings are unavailable", extra={"error": str(error)})
        return _error(503, f"The stream settings are unavailable right now ({error}): try again.")
    return Response(
        {"server": ingest.server, "stream_key": ingest.stream_key},
        headers={"Cache-Control": "no-store"},
    )
