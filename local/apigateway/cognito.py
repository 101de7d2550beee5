"""A REST method's Cognito user pool authorizer, as API Gateway runs it before the function.

Without OAuth scopes on the method, API Gateway takes an ID token from the pool in the
`Authorization` header (with or without "Bearer "), checks its signature, expiry and issuer,
answers 401 `{"message": "Unauthorized"}` itself when it is absent or invalid, and hands the
token's claims to the function as `requestContext.authorizer.claims`."""

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jwt import PyJWKClient


class Unauthorized(Exception):
    pass


def verified_claims(token: str | None, *, pool_arn: str, aws_endpoint: str) -> dict[str, str]:
    """The claims of a valid ID token of the pool; Unauthorized otherwise. Blocking (the keys
    are fetched once from the embedded Cognito): call it off the event loop."""
    import jwt

    if not token:
        raise Unauthorized("no token")
    token = token.removeprefix("Bearer ").strip()
    region, pool_id = pool_arn.split(":")[3], pool_arn.rsplit("/", 1)[-1]
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    base = aws_endpoint.rstrip("/") or issuer.removesuffix(f"/{pool_id}")  # a real account's
    jwks = f"{base}/{pool_id}/.well-known/jwks.json"
    try:
        key = _keys(jwks).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=issuer,
            options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthorized(str(error)) from error
    if claims.get("token_use") != "id":
        raise Unauthorized("not an ID token")
    # API Gateway passes every claim as a string (a list of groups included).
    return {name: _text(value) for name, value in claims.items()}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


@cache
def _keys(url: str) -> "PyJWKClient":
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
