"""`GET /openapi.json`: the OpenAPI 3.1 document of the whole REST API, built from the same
Operation declarations and pydantic models that serve it (handlers/api.py)."""

import json
import re
from functools import cache
from typing import Any

from chalice.app import Response
from pydantic import BaseModel

from functions.cart.handlers.api import OPERATIONS, Operation, Resource, answer
from functions.cart.logic.errors import ErrorBody
from functions.common.settings import Settings

docs = Resource("docs")
REF = "#/components/schemas/{model}"
REASONS = {
    400: "The request is not valid (field errors listed)",
    401: "No valid staff token (or signature)",
    403: "The caller's role may not do this",
    404: "Not found",
    409: "Refused in the current state (out of stock, promo used up, ...)",
    429: "Throttled: retry later",
    502: "The storefront failed: retrying is safe",
}


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF, mode="serialization")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _input(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


class GatewayRefusal(BaseModel):
    """What API Gateway itself answers, before the function runs: 401 from the staff routes'
    Cognito authorizer (no token, or not one of the pool's), 429 from the stage's throttle."""

    message: str  # "Unauthorized", "Too Many Requests"


def _error(code: int, operation: Operation) -> dict[str, Any]:
    schema: dict[str, Any] = {"$ref": REF.format(model="ErrorBody")}
    if code == 429 or (code == 401 and operation.staff):
        schema = {"anyOf": [schema, {"$ref": REF.format(model="GatewayRefusal")}]}
    return {"application/json": {"schema": schema}}


def _operation(operation: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "OK"}
    if operation.answer is not None:
        success["content"] = {
            operation.content_type: {"schema": _schema(operation.answer, schemas)}
        }
    elif operation.content_type != "application/json":
        success["content"] = {operation.content_type: {"schema": {"type": "string"}}}
    if operation.status == 302:
        success["headers"] = {"Location": {"schema": {"type": "string"}}}
    # API Gateway throttles every operation (the stage's limits, or the operation's own): 429.
    codes = {400, 429, *operation.refusals, *((401, 403) if operation.staff else ())}
    responses: dict[str, Any] = {str(operation.status): success}
    responses |= {
        str(code): {"description": REASONS[code], "content": _error(code, operation)}
        for code in sorted(codes)
    }
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _path_names(operation.path)
    ] + [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in operation.query
    ]
    document: dict[str, Any] = {
        "operationId": operation.method.lower() + re.sub(r"[^A-Za-z0-9]+", "_", operation.path),
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": responses,
    }
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _input(operation.body, schemas)}},
        }
    if operation.staff:
        document["security"] = [{"cognito": []}]
        document["x-vitrine-roles"] = ["admin", *(role.value for role in operation.staff)]
    return document


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


@cache
def document(version: str = "1.0.0") -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, schemas
        )
    _schema(ErrorBody, schemas)
    _schema(GatewayRefusal, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Vitrine REST API", "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A staff member's Cognito ID token (admin, host, moderator)",
                }
            },
        },
    }


class Health(BaseModel):
    status: str
    brand: str


@docs.operation(
    Operation("/health", "GET", "Liveness, and the brand's name", "docs", answer=Health)
)
def health() -> Response:
    return answer(Health(status="ok", brand=Settings.from_env().brand_name))


@docs.operation(Operation("/openapi.json", "GET", "This document", "docs"))
def openapi() -> Response:
    return Response(
        json.dumps(document()),
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )
