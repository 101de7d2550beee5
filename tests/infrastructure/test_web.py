"""infra/web: a private bucket behind CloudFront (OAC), and the default_stack app's config.json."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from infra.app import build_app
from infra.web.construct import WebAppNotBuilt
from tests.synthesized import Synthesized

pytestmark = pytest.mark.infra

CONFIG_KEYS = {
    "brandName",
    "region",
    "apiUrl",
    "websocketUrl",
    "playbackUrl",
    "userPoolId",
    "userPoolClientId",
    "cognitoEndpoint",
    "allowedOrigins",
    "timeZone",
}


def test_cloudfront_reads_the_bucket_through_origin_access_control(
    default_stack: Synthesized,
) -> None:
    oac = default_stack.logical_id("AWS::CloudFront::OriginAccessControl", "WebDistribution")
    site_bucket = default_stack.logical_id("AWS::S3::Bucket", "WebSiteBucket")

    default_stack.template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "DefaultRootObject": "index.html",
                    "Origins": [
                        Match.object_like(
                            {
                                "DomainName": {"Fn::GetAtt": [site_bucket, "RegionalDomainName"]},
                                "OriginAccessControlId": {"Fn::GetAtt": [oac, "Id"]},
                            }
                        )
                    ],
                    "DefaultCacheBehavior": Match.object_like(
                        {
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "ResponseHeadersPolicyId": {
                                "Ref": Match.string_like_regexp("WebSecurityHeaders")
                            },
                        }
                    ),
                    "Logging": Match.object_like({"Prefix": "cloudfront/"}),
                }
            )
        },
    )
    default_stack.template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3"})},
    )


def test_only_cloudfront_may_read_the_site_bucket(default_stack: Synthesized) -> None:
    site_bucket = default_stack.logical_id("AWS::S3::Bucket", "WebSiteBucket")
    (policy,) = (
        policy
        for policy in default_stack.resources("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": site_bucket}
    )
    allowed = [
        statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]

    assert [statement["Principal"] for statement in allowed] == [
        {"Service": "cloudfront.amazonaws.com"}
    ]


def test_a_custom_domain_gets_its_certificate_and_modern_tls(
    default_stack: Synthesized, custom_stack: Synthesized
) -> None:
    custom_stack.template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "Aliases": ["live.example.com"],
                    "ViewerCertificate": Match.object_like(
                        {
                            "AcmCertificateArn": (
                                "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234"
                            ),
                            "MinimumProtocolVersion": "TLSv1.2_2021",
                        }
                    ),
                }
            )
        },
    )
    default_stack.template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {"DistributionConfig": Match.object_like({"Aliases": Match.absent()})},
    )


def _deployment(synthesized: Synthesized) -> dict[str, Any]:
    (deployment,) = synthesized.resources("Custom::CDKBucketDeployment").values()
    return deployment["Properties"]


def _config_json(synthesized: Synthesized) -> tuple[dict[str, Any], dict[str, Any]]:
    """config.json as default_stack: the JSON source with its deploy-time values substituted."""
    deployment = _deployment(synthesized)
    for key, markers in zip(
        deployment["SourceObjectKeys"], deployment["SourceMarkers"], strict=True
    ):
        source = synthesized.outdir / f"asset.{key.removesuffix('.zip')}"
        if (source / "config.json").is_file():
            text = (source / "config.json").read_text()
            values = {}
            for marker, value in markers.items():
                placeholder = f"__{len(values)}__"
                text = text.replace(marker, json.dumps(placeholder))
                values[placeholder] = value
            return json.loads(text), values
    raise AssertionError("no source of the bucket deployment holds config.json")


def test_config_json_carries_the_deployed_endpoints(default_stack: Synthesized) -> None:
    config, values = _config_json(default_stack)

    def resolved(key: str) -> Any:
        return values.get(config[key], config[key])

    def joined(key: str) -> str:
        """A Fn::Join value as text, references written as <LogicalId> or <LogicalId.Attr>."""
        parts = resolved(key)["Fn::Join"][1]
        return "".join(
            part
            if isinstance(part, str)
            else f"<{part['Ref']}>"
            if "Ref" in part
            else "<{}.{}>".format(*part["Fn::GetAtt"])
            for part in parts
        ).strip('"')

    assert set(config) == CONFIG_KEYS
    assert config["brandName"] == "Vitrine Demo"
    assert joined("region") == "<AWS::Region>"
    rest_api = default_stack.logical_id("AWS::ApiGateway::RestApi", "CartRestApi")
    assert re.fullmatch(
        rf"https://<{rest_api}>\.execute-api\.<AWS::Region>\.<AWS::URLSuffix>/<\w+>/",
        joined("apiUrl"),
    )
    websocket = default_stack.logical_id("AWS::ApiGatewayV2::Api", "ChatApi")
    assert (
        joined("websocketUrl")
        == f"wss://<{websocket}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/live"
    )
    channel = default_stack.logical_id("AWS::IVS::Channel", "StreamingChannel")
    assert joined("playbackUrl") == f"<{channel}.PlaybackUrl>"
    user_pool = default_stack.logical_id("AWS::Cognito::UserPool", "Identity")
    assert joined("userPoolId") == f"<{user_pool}>"
    client = default_stack.logical_id("AWS::Cognito::UserPoolClient", "Identity")
    assert joined("userPoolClientId") == f"<{client}>"
    assert joined("cognitoEndpoint") == "https://cognito-idp.<AWS::Region>.amazonaws.com/"
    assert config["allowedOrigins"] == ["*"]
    assert config["timeZone"] == "UTC"


def test_config_json_carries_the_brands_origins_and_time_zone(custom_stack: Synthesized) -> None:
    config, _ = _config_json(custom_stack)
    assert config["allowedOrigins"] == ["https://shop.example.com", "https://www.example.com"]
    assert config["timeZone"] == "Europe/Paris"


def _security_headers(stack: Synthesized) -> dict[str, Any]:
    (policy,) = stack.template.find_resources("AWS::CloudFront::ResponseHeadersPolicy").values()
    return policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]


def test_only_the_brands_sites_may_frame_the_pages(custom_stack: Synthesized) -> None:
    """The embed (docs/embed.md) puts the show in an iframe on the brand's product pages:
    X-Frame-Options SAMEORIGIN (CloudFront's managed policy) would blank it there."""
    headers = _security_headers(custom_stack)
    assert "FrameOptions" not in headers
    assert headers["ContentSecurityPolicy"] == {
        "ContentSecurityPolicy": (
            "frame-ancestors 'self' https://shop.example.com https://www.example.com"
        ),
        "Override": True,
    }


def test_the_pages_keep_the_managed_policys_other_security_headers(
    default_stack: Synthesized,
) -> None:
    headers = _security_headers(default_stack)
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 31_536_000, "Override": True}  # fmt: skip
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"] == {
        "ReferrerPolicy": "strict-origin-when-cross-origin", "Override": True}  # fmt: skip
    assert headers["XSSProtection"] == {"Protection": True, "ModeBlock": True, "Override": True}
    assert headers["ContentSecurityPolicy"]["ContentSecurityPolicy"] == "frame-ancestors 'self' *"


def test_the_site_and_config_json_go_to_the_site_bucket_and_refresh_cloudfront(
    default_stack: Synthesized, site_dir: Path
) -> None:
    deployment = _deployment(default_stack)
    site_bucket = default_stack.logical_id("AWS::S3::Bucket", "WebSiteBucket")
    distribution = default_stack.logical_id("AWS::CloudFront::Distribution", "WebDistribution")
    sources = [
        default_stack.outdir / f"asset.{key.removesuffix('.zip')}"
        for key in deployment["SourceObjectKeys"]
    ]

    assert deployment["DestinationBucketName"] == {"Ref": site_bucket}
    assert deployment["DistributionId"] == {"Ref": distribution}
    assert deployment["DistributionPaths"] == ["/*"]
    assert sorted(path.name for source in sources for path in source.iterdir()) == [
        "config.json",
        "index.html",
    ]
    assert (sources[0] / "index.html").read_text() == (site_dir / "index.html").read_text()


def test_without_a_built_web_app_a_synth_uses_a_placeholder(custom_stack: Synthesized) -> None:
    assert (
        "web app was not built"
        in (custom_stack.outdir / "web-placeholder" / "index.html").read_text()
    )


def test_without_a_built_web_app_a_deployment_fails_before_any_bundling(
    tmp_path: Path,
) -> None:
    # No context: CDK bundles every stack, as `cdk deploy` does.
    with pytest.raises(WebAppNotBuilt, match="build the web app"):
        build_app(outdir=str(tmp_path), site_dir=tmp_path / "dist")
