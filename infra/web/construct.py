"""The web app (viewer page, host/moderator console, KPI dashboard) on S3 behind CloudFront.

The bucket stays private: CloudFront reads it through Origin Access Control. Next to the built
app the deployment writes `config.json`, the endpoints of this very stack, so one build of
web/ works for every brand and every deployment."""

from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.config import VitrineConfig
from infra.nag import acknowledge, logical_id

_PLACEHOLDER_PAGE = (
    "<!doctype html><title>Vitrine</title>"
    "<p>The web app was not built when this template was synthesized.</p>\n"
)


class WebAppNotBuilt(FileNotFoundError):
    """A deployment needs the built web app; only a bundling-skipped synth can do without."""


def resolve_site_dir(scope: Construct, site_dir: Path) -> Path:
    """`site_dir` if the web app is built there; else, when this synth skips bundling (tests,
    the local runtime), a placeholder page. A deployment without the web app is an error."""
    if (site_dir / "index.html").is_file():
        return site_dir
    stack = Stack.of(scope)
    if stack.bundling_required:
        raise WebAppNotBuilt(
            f"{site_dir} has no index.html: build the web app (npm --prefix web run build) "
            "before `cdk deploy`"
        )
    placeholder = Path(stack.node.root.outdir) / "web-placeholder"
    placeholder.mkdir(parents=True, exist_ok=True)
    (placeholder / "index.html").write_text(_PLACEHOLDER_PAGE)
    return placeholder


class Web(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: VitrineConfig,
        site_dir: Path,
        runtime_config: dict[str, Any],
        access_logs_bucket: s3.IBucket,
    ) -> None:
        """`site_dir` holds the built app (see resolve_site_dir); `runtime_config` is written
        next to it as config.json, and its values may be deploy-time tokens."""
        super().__init__(scope, construct_id)

        self.bucket = s3.Bucket(
            self,
            "SiteBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs_bucket,
            server_access_logs_prefix="site/",
            removal_policy=RemovalPolicy.RETAIN,
        )

        domain = config.custom_domain
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{config.brand_name} live shopping",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self._security_headers(config),
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs_bucket,
            log_file_prefix="cloudfront/",
            domain_names=[domain.domain_name] if domain else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", domain.certificate_arn)
                if domain
                else None
            ),
            minimum_protocol_version=(
                cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain else None
            ),
        )

        self.deployment = s3_deployment.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            sources=[
                s3_deployment.Source.asset(str(site_dir)),
                s3_deployment.Source.json_data("config.json", runtime_config),
            ],
            # index.html and config.json keep their names across deployments: refresh them.
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
            log_group=logs.LogGroup(self, "DeploymentLogs", retention=logs.RetentionDays.ONE_MONTH),
        )

        self._acknowledge_nag_findings(config)

    def _security_headers(self, config: VitrineConfig) -> cloudfront.ResponseHeadersPolicy:
        """CloudFront's managed SECURITY_HEADERS, except who may frame the pages: its
        `X-Frame-Options: SAMEORIGIN` would stop the brand's own product pages from embedding
        the show (docs/embed.md), so `frame-ancestors` lists the brand's allowed origins."""
        ancestors = " ".join(["'self'", *config.allowed_origins])
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment=f"{config.brand_name}: security headers; the brand's sites may embed the show",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=f"frame-ancestors {ancestors}", override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(
                    protection=True, mode_block=True, override=True
                ),
            ),
        )

    @property
    def url(self) -> str:
        return f"https://{self.distribution.distribution_domain_name}"

    def _acknowledge_nag_findings(self, config: VitrineConfig) -> None:
        findings = {
            "AwsSolutions-CFR1": (
                "A live shopping page is meant for every country the brand sells to; a brand "
                "that needs geo restrictions adds them to the distribution."
            ),
            "AwsSolutions-CFR2": (
                "The distribution serves static files only; every dynamic request goes to API "
                "Gateway, which throttles it. A WAF web ACL is a per-brand cost and policy "
                "decision."
            ),
        }
        if config.custom_domain is None:
            findings["AwsSolutions-CFR4"] = (
                "Without vitrine:customDomain the distribution uses the default *.cloudfront.net "
                "certificate, whose TLS policy CloudFront fixes; with a custom domain it is "
                "TLSv1.2_2021."
            )
        acknowledge(self.distribution, findings)

        # BucketDeployment's handler is CDK's own singleton function (a child of the stack).
        handler_role = self.deployment.handler_role
        acknowledge(
            handler_role.node.scope,
            {
                "AwsSolutions-L1": (
                    "The BucketDeployment handler is CDK's own function; its runtime moves with "
                    "aws-cdk-lib, and it only runs during deployments."
                ),
            },
        )
        qualifier = Stack.of(self).synthesizer.bootstrap_qualifier or "hnb659fds"
        deployment_reason = (
            "CDK's BucketDeployment handler copies the site from the CDK asset bucket into "
            "the site bucket (object names are only known at deploy time) and invalidates "
            "the distribution; the policy is CDK's own."
        )
        acknowledge(
            handler_role,
            dict.fromkeys(
                [
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/"
                    "service-role/AWSLambdaBasicExecutionRole]",
                    *(
                        f"AwsSolutions-IAM5[Action::s3:{action}*]"
                        for action in ("GetBucket", "GetObject", "List", "Abort", "DeleteObject")
                    ),
                    "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
                    f"cdk-{qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]",
                    f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/*]",
                    "AwsSolutions-IAM5[Resource::*]",
                ],
                deployment_reason,
            ),
        )
