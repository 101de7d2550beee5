"""Staff authentication: verifies a Cognito ID token and returns who the staff member is.

One verifier serves the deployed authorizers and the local runtime. Locally the tokens come from
the embedded Cognito (moto issues real RS256 JWTs) and the keys from its JWKS endpoint."""

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from functions.common.aws import endpoint_url
from functions.common.events import StaffRole
from functions.common.settings import Settings

if TYPE_CHECKING:  # jwt (and its crypto backend) is imported when a token is first verified
    from jwt import PyJWKClient

# Highest privilege first: a member of several groups acts with the strongest role.
_ROLE_ORDER = (StaffRole.ADMIN, StaffRole.HOST, StaffRole.MODERATOR)


class InvalidToken(Exception):
    """The token is missing, malformed, expired, for another pool or client, or not staff."""


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    subject: str
    username: str
    role: StaffRole

    def can(self, *roles: StaffRole) -> bool:
        return self.role is StaffRole.ADMIN or self.role in roles


@dataclass(frozen=True, slots=True)
class StaffTokenVerifier:
    user_pool_id: str
    client_id: str
    region: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "StaffTokenVerifier":
        return cls(
            settings.require("user_pool_id"),
            settings.require("user_pool_client_id"),
            settings.region,
        )

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        base = endpoint_url("cognito-idp") or self.issuer.removesuffix(f"/{self.user_pool_id}")
        return f"{base.rstrip('/')}/{self.user_pool_id}/.well-known/jwks.json"

    def verify(self, token: str | None) -> StaffIdentity:
        import jwt

        if not token:
            raise InvalidToken("a staff token is required")
        token = token.removeprefix("Bearer ").strip()
        try:
            signing_key = _jwks_client(self.jwks_url).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(f"invalid staff token: {error}") from error
        if claims.get("token_use") != "id":
            raise InvalidToken("an ID token is required")
        groups = set(claims.get("cognito:groups") or ())
        role = next((role for role in _ROLE_ORDER if role.value in groups), None)
        if role is None:
            raise InvalidToken("the user is in no staff group (admin, host, moderator)")
        return StaffIdentity(
            subject=claims["sub"], username=claims.get("cognito:username", claims["sub"]), role=role
        )


@cache
def _jwks_client(url: str) -> "PyJWKClient":
    import jwt

    # Keys are cached per process: a warm Lambda verifies without a network call.
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
