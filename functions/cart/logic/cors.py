"""Which browser origins may call the REST API (the brand's `vitrine:allowedOrigins`)."""

ALLOWED_HEADERS = "authorization,content-type,x-amz-date,x-api-key"


def cors_headers(origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """The CORS headers of an answer to `origin`: none for an origin the brand did not allow,
    so the browser refuses to hand the answer to that page."""
    if "*" in allowed:
        return {"Access-Control-Allow-Origin": "*"}
    if origin and origin in allowed:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}


def preflight_headers(
    origin: str | None, allowed: tuple[str, ...], methods: set[str]
) -> dict[str, str]:
    headers = cors_headers(origin, allowed)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": ",".join(sorted(methods | {"OPTIONS"})),
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        }
    return headers
