"""Composes the local runtime: embedded AWS, resources from the template, seed data, the IVS
stand-in and the gateway. `__main__` runs it for `make dev`; end-to-end tests start that."""

import asyncio
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.common import aws
from functions.common.settings import Settings
from functions.common.streaming import use_streaming_service
from local import REPO_ROOT
from local.apigateway.connections import ConnectionHub
from local.apigateway.gateway import GatewaySettings, create_gateway
from local.awslambda import wiring as lambdas
from local.cloudformation.template import Template
from local.embedded_aws import provision as embedded_aws
from local.embedded_aws.provision import EmbeddedAws, ensure_port_free

log = logging.getLogger("vitrine.local")

LOCAL_STAGE = "local"


@dataclass(frozen=True)
class RuntimeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    aws_port: int = 4510
    rtmp_port: int = 1935
    rtmp_host: str = "127.0.0.1"  # 0.0.0.0 lets a phone on the same network publish
    source: str = "testpattern"  # or "rtmp": OBS or a phone app streams to the RTMP ingest
    template: Path = REPO_ROOT / "cdk.out" / "VitrineStack.template.json"
    web_dir: Path = REPO_ROOT / "web" / "dist"
    work_dir: Path = REPO_ROOT / ".vitrine"


@dataclass
class LocalRuntime:
    options: RuntimeOptions
    hub: ConnectionHub = field(default_factory=ConnectionHub)
    embedded: EmbeddedAws | None = None
    channel: Any = None  # the IVS stand-in, once started
    runtime_config: dict[str, Any] = field(default_factory=dict)
    template: Template | None = None  # the synthesized template, once loaded
    loop: asyncio.AbstractEventLoop | None = None  # the gateway's, once it serves

    @property
    def base_url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def start(self) -> None:
        """Everything but the HTTP server: AWS, resources, environment, seed, stream."""
        options = self.options
        ensure_port_free(options.port, "gateway")
        if options.source == "rtmp":
            ensure_port_free(options.rtmp_port, "RTMP ingest")
        if not options.template.exists():
            raise FileNotFoundError(
                f"{options.template} is missing: synthesize it first (`make synth`)"
            )
        self._start_aws()
        self.template = template = Template.load(options.template, region=aws.region())
        embedded_aws.provision(template, aws.client)
        embedded_aws.apply_environment(template)
        # Handlers post frames to our @connections API, as they would to API Gateway's.
        os.environ["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] = f"{self.base_url}/{LOCAL_STAGE}"
        settings = Settings.from_env()
        self._seed(settings)
        self.channel = self._start_stream(settings)
        self.runtime_config = {
            "brandName": settings.brand_name,
            "region": settings.region,
            "apiUrl": f"{self.base_url}/api",
            "websocketUrl": f"ws://{options.host}:{options.port}/ws",
            "playbackUrl": f"{self.base_url}/live/{self.channel.playlist_path}",
            "userPoolId": settings.user_pool_id,
            "userPoolClientId": settings.user_pool_client_id,
            "cognitoEndpoint": f"{self.base_url}/local/cognito/",
        }

    def gateway(self) -> Any:
        template = self.template
        return create_gateway(
            GatewaySettings(
                host=self.options.host,
                port=self.options.port,
                web_dir=self.options.web_dir,
                live_dir=self.channel.live_dir,
                runtime_config=self.runtime_config,
                aws_endpoint=aws.endpoint_url("cognito-idp") or "",
                rest_handler=lambdas.rest_handler(template),
                websocket=lambdas.websocket_wiring(template),
                region=template.region,
                account_id=template.account_id,
                stage=LOCAL_STAGE,
            ),
            self.hub,
        )

    def stop(self) -> None:
        """Stop the stream (finalizing its recording into S3) before the AWS it writes to."""
        if self.channel is not None:
            try:
                self.channel.stop()
            finally:
                self.channel = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    def _start_aws(self) -> None:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_REGION", "us-east-1")
        if os.environ.get("AWS_ENDPOINT_URL"):
            log.info("using the AWS endpoint at %s", os.environ["AWS_ENDPOINT_URL"])
            return
        self.embedded = EmbeddedAws(self.options.aws_port)
        self.embedded.start()
        os.environ["AWS_ENDPOINT_URL"] = self.embedded.endpoint

    def _seed(self, settings: Settings) -> None:
        from local import seed

        seed.seed_catalog()
        seed.seed_staff(aws.client("cognito-idp"), settings.require("user_pool_id"))

    def _start_stream(self, settings: Settings) -> Any:
        """The local IVS channel for the template's channel, recording where IVS would."""
        from local import ivs

        channel = next(self.template.of_type("AWS::IVS::Channel"))
        recording = next(self.template.of_type("AWS::IVS::RecordingConfiguration"), None)
        options = self.options
        source = (
            ivs.RtmpSource(port=options.rtmp_port, host=options.rtmp_host)
            if options.source == "rtmp"
            else ivs.PatternSource(brand_name=settings.brand_name)
        )
        config = ivs.ChannelConfig(
            channel_arn=self.template.resolve({"Ref": channel.logical_id}),
            channel_name=channel.properties.get("Name", channel.logical_id),
            recordings_bucket=self.template.resolve(
                recording.properties["DestinationConfiguration"]["S3"]["BucketName"]
            )
            if recording
            else "",
            live_dir=options.work_dir / "live",
            work_dir=options.work_dir / "ivs",
            playback_base_url=f"{self.base_url}/live",
            source=source,
        )
        publish = ivs.eventbridge_publisher(aws.client("events"))
        stand_in = ivs.LocalIvsChannel(
            config, s3_client=aws.client("s3"), on_event=publish, on_metadata=self._relay_cue
        )
        stand_in.start()
        use_streaming_service(stand_in)  # handlers' put_metadata now reaches the local channel
        if options.source == "testpattern" and not stand_in.wait_until_live(timeout=30):
            log.warning("the local stream is not live yet; see %s", stand_in.log_path)
        return stand_in

    def _relay_cue(self, cue: str) -> None:
        """Timed metadata reaches local pages over the WebSocket (IVS puts it in the video)."""
        if self.loop is not None:
            frame = json.dumps({"type": "timed_metadata", "cue": cue})
            self.loop.call_soon_threadsafe(self.hub.broadcast, frame)


def describe(runtime: LocalRuntime) -> str:
    """The banner `make dev` prints: where everything is and how to sign in."""
    from local.seed import DEMO_SHOW_ID, STAFF, STAFF_PASSWORD

    base = runtime.base_url
    staff = ", ".join(f"{name} ({group})" for name, group in STAFF)
    lines = [
        "Vitrine is running locally.",
        f"  Viewer page   {base}/?show={DEMO_SHOW_ID}",
        f"  Host console  {base}/host.html",
        f"  REST API      {base}/api/health",
        f"  WebSocket     ws://{runtime.options.host}:{runtime.options.port}/ws?show={DEMO_SHOW_ID}&viewer=<id>",
        f"  Live HLS      {runtime.runtime_config['playbackUrl']}",
        f"  Embedded AWS  {os.environ['AWS_ENDPOINT_URL']}  (AWS_ENDPOINT_URL)",
        f"  Staff sign-in {staff}; password {STAFF_PASSWORD}",
    ]
    if runtime.options.source == "rtmp":
        lines.append(f"  RTMP ingest   {runtime.channel.ingest_url}  (OBS: server + stream key)")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
