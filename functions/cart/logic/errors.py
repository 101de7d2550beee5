"""The REST API's errors: every refusal is JSON with a stable `code` and a human `message`
(400s list the fields at fault), so a client can branch on the code and show the message."""

from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError


class FieldError(BaseModel):
    field: str  # dotted path in the body or query, e.g. "variants.0.stock"
    message: str


class ErrorBody(BaseModel):
    """What every 4xx/5xx of the REST API carries (served in /openapi.json)."""

    code: str
    message: str
    errors: list[FieldError] = []


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    errors: list[FieldError] = field(default_factory=list)

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, errors=self.errors)


def bad_request(message: str, errors: list[FieldError] | None = None) -> ApiError:
    return ApiError(400, "bad_request", message, errors or [])


def invalid(error: ValidationError, *, where: str = "body") -> ApiError:
    """A pydantic refusal as a 400 naming each field."""
    fields = [
        FieldError(
            field=".".join(str(part) for part in issue["loc"]) or where,
            message=issue["msg"],
        )
        for issue in error.errors()
    ]
    summary = "; ".join(f"{f.field}: {f.message}" for f in fields)
    return ApiError(400, "invalid_request", f"the {where} is not valid: {summary}", fields)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(code: str, message: str) -> ApiError:
    """409: the request is well formed but the state refuses it (out of stock, promo used up)."""
    return ApiError(409, code, message)


def unavailable(message: str) -> ApiError:
    return ApiError(503, "unavailable", message)
