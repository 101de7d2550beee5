"""The response headers the template's CloudFront policy adds to every page of the site, so
the local gateway frames (or refuses to frame) the pages as the deployed site does.

Only the headers that change what a browser does over plain http are kept: the gateway does
not speak TLS, so Strict-Transport-Security would mean nothing (and pin localhost to https)."""

from typing import Any

from local.cloudformation.template import Template

_POLICY = "AWS::CloudFront::ResponseHeadersPolicy"


def site_headers(template: Template) -> dict[str, str]:
    """Header name -> value from the stack's response headers policy ({} without one)."""
    policy = next(template.of_type(_POLICY), None)
    if policy is None:
        return {}
    config: dict[str, Any] = template.resolve(policy.properties["ResponseHeadersPolicyConfig"])
    security = config.get("SecurityHeadersConfig", {})
    headers: dict[str, str] = {}
    if csp := security.get("ContentSecurityPolicy"):
        headers["content-security-policy"] = csp["ContentSecurityPolicy"]
    if security.get("ContentTypeOptions"):
        headers["x-content-type-options"] = "nosniff"
    if frame := security.get("FrameOptions"):
        headers["x-frame-options"] = frame["FrameOption"]
    if referrer := security.get("ReferrerPolicy"):
        headers["referrer-policy"] = referrer["ReferrerPolicy"]
    return headers
