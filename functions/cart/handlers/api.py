"""One declaration per REST operation: its route, who may call it, its body and answer models,
its throttle. The Chalice blueprints are built from it, and so are `/openapi.json` and the CDK
resources (staff operations get API Gateway's Cognito authorizer, each its own throttle): the
three can never disagree.

Handlers stay thin: parse the body into its model, call an action, return the answer model."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice.app import BadRequestError, Blueprint, Request, Response
from pydantic import BaseModel, ValidationError

from functions.cart.dal.transaction import Busy
from functions.cart.logic import errors
from functions.common.auth import InvalidToken, StaffIdentity, StaffTokenVerifier
from functions.common.events import StaffRole
from functions.common.observability import logger
from functions.common.settings import Settings


@dataclass(frozen=True, slots=True)
class Throttle:
    rate: int  # requests per second, steady
    burst: int


DEFAULT_THROTTLE = Throttle(rate=200, burst=400)


@dataclass(frozen=True, slots=True)
class Operation:
    path: str
    method: str
    summary: str
    tag: str
    staff: tuple[StaffRole, ...] = ()  # empty: anyone (viewers are anonymous)
    body: type[BaseModel] | None = None
    answer: type[BaseModel] | None = None
    status: int = 200
    content_type: str = "application/json"
    refusals: tuple[int, ...] = ()  # the 4xx it may answer besides 400 (and 401/403 for staff)
    throttle: Throttle = DEFAULT_THROTTLE
    query: tuple[str, ...] = ()


OPERATIONS: list[Operation] = []


@dataclass
class Resource:
    """A Chalice blueprint whose routes are declared as Operations."""

    name: str
    blueprint: Blueprint = field(init=False)

    def __post_init__(self) -> None:
        self.blueprint = Blueprint(f"functions.cart.handlers.{self.name}")

    def operation(self, operation: Operation) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Registers the view; a staff operation checks the caller's role before it runs."""
        OPERATIONS.append(operation)

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def checked(**path: str) -> Any:
                try:
                    if operation.staff:
                        staff(current_request(self), *operation.staff)
                    return view(**path)
                except errors.ApiError as error:
                    return refusal(error)
                except Busy:  # DynamoDB kept meeting or throttling it: nothing was written
                    return refusal(errors.ApiError(429, "busy", "many requests at once: retry"))

            self.blueprint.route(operation.path, methods=[operation.method])(checked)
            return view

        return register


def current_request(resource: Resource) -> Request:
    request = resource.blueprint.current_request
    if request is None:
        raise RuntimeError("no request is being served")
    return request


def body_of[M: BaseModel](request: Request, model: type[M]) -> M:
    """The JSON body as `model`, or a 400 naming each field at fault."""
    try:
        data = request.json_body if request.raw_body else {}
    except BadRequestError as error:
        raise errors.bad_request("the request body is not valid JSON") from error
    if not isinstance(data, dict):
        raise errors.bad_request("the request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise errors.invalid(error) from error


def staff(request: Request, *roles: StaffRole) -> StaffIdentity:
    """The signed-in staff member, if their Cognito group is one of `roles` (admins always)."""
    verifier = StaffTokenVerifier.from_settings(Settings.from_env())
    try:
        identity = verifier.verify(request.headers.get("authorization"))
    except InvalidToken as error:
        raise errors.unauthorized(str(error)) from error
    if not identity.can(*roles):
        raise errors.forbidden(f"a {identity.role or 'user in no staff group'} may not do this")
    return identity


def refusal(error: errors.ApiError) -> Response:
    if error.status >= 500:
        logger().warning("refused", extra={"code": error.code, "error": error.message})
    return Response(
        error.body().model_dump_json(),
        status_code=error.status,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


def answer(model: BaseModel, status: int = 200, *, cache_seconds: int = 0) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    headers["Cache-Control"] = f"public, max-age={cache_seconds}" if cache_seconds else "no-store"
    return Response(model.model_dump_json(), status_code=status, headers=headers)
