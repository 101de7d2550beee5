"""Composes the local runtime: the embedded AWS provisioned from the template, the local Lambda
service, the triggers that invoke it, seed data, the IVS stand-in and the gateway.

`__main__` runs it for `make dev`; the integration and end-to-end tests start the same code."""

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from functions.common import aws
from functions.common.settings import Env, Settings
from local import REPO_ROOT
from local.apigateway.connections import ConnectionHub
from local.apigateway.gateway import GatewaySettings, create_gateway
from local.apigateway.wiring import rest_resources, websocket_wiring
from local.awslambda.environment import WorkerSettings
from local.awslambda.functions import LocalFunction, local_functions, provide_functions
from local.awslambda.invoke_api import lambda_invoke_routes
from local.awslambda.logs import log_invocation
from local.awslambda.service import DEFAULT_CONCURRENCY, LambdaService
from local.cloudformation.template import Template
from local.cloudfront.headers import site_headers
from local.embedded_aws import provision
from local.embedded_aws.server import EmbeddedAws, ensure_port_free
from local.eventbridge import LocalTarget
from local.iam.evaluation import Permission
from local.iam.policies import role_policies, websocket_endpoint
from local.stepfunctions.bridge import enable_local_executions, served_in_this_process
from local.triggers import Triggers

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
    concurrency: int = DEFAULT_CONCURRENCY  # execution environments per function
    verbose: bool = False  # echo the functions' full output, not only one line per invocation
    seed: bool = True  # the demo show and the staff users
    stream: bool = True  # the IVS stand-in, when the template has a channel
    clock_speed: float = 1.0  # schedules' clock: tests run minutes in seconds


@dataclass
class LocalRuntime:
    options: RuntimeOptions
    hub: ConnectionHub = field(default_factory=ConnectionHub)
    embedded: EmbeddedAws | None = None
    channel: Any = None  # the IVS stand-in, once started
    lambdas: LambdaService | None = None
    rule_targets: list[LocalTarget] = field(default_factory=list)
    triggers: Triggers | None = None
    step_functions_bridged: bool = False  # state machines' Lambda tasks reach local functions
    runtime_config: dict[str, Any] = field(default_factory=dict)
    template: Template | None = None  # the synthesized template, once provisioned
    loop: asyncio.AbstractEventLoop | None = None  # the gateway's, once it serves

    @property
    def base_url(self) -> str:
        return f"http://{self.options.host}:{self.options.port}"

    def start(self) -> None:
        """Everything but the HTTP server: AWS, resources, functions, triggers, seed, stream."""
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
        self._bridge_step_functions()
        provide_functions(template)
        self.rule_targets = provision.provision(
            template, aws.client, site_domain=f"{self.options.host}:{self.options.port}"
        )
        functions = self._with_local_site(local_functions(template, REPO_ROOT))
        connections_endpoint = websocket_endpoint(template, f"{self.base_url}/{LOCAL_STAGE}")
        self.lambdas = LambdaService(
            functions,
            WorkerSettings(
                code_root=REPO_ROOT,
                log_dir=options.work_dir / "logs",
                aws_environment=self._function_endpoints(),
                region=template.region,
                account_id=template.account_id,
                verbose=options.verbose,
            ),
            concurrency=options.concurrency,
            # Every AWS call a function makes is checked against its role, as in AWS.
            policy_for=lambda function: role_policies(template, function.logical_id).to_dict(),
            guard_options={
                "region": template.region,
                "account": template.account_id,
                "api_endpoints": [dataclasses.asdict(connections_endpoint)]
                if connections_endpoint
                else [],
            },
            on_invocation=log_invocation,
        )
        settings = _read_settings(functions, template)
        if options.seed:
            self._seed(settings)
        if options.stream and next(template.of_type("AWS::IVS::Channel"), None):
            self.channel = self._start_stream(settings)
        self.runtime_config = {
            "brandName": settings.brand_name,
            "region": settings.region,
            "apiUrl": f"{self.base_url}/api",
            "websocketUrl": f"ws://{options.host}:{options.port}/ws",
            "playbackUrl": f"{self.base_url}/live/{self.channel.playlist_path}"
            if self.channel
            else "",
            "userPoolId": settings.user_pool_id,
            "userPoolClientId": settings.user_pool_client_id,
            "cognitoEndpoint": f"{self.base_url}/local/cognito/",
            "allowedOrigins": list(settings.allowed_origins),
            "timeZone": settings.time_zone,
        }

    def _with_local_site(self, functions: list[LocalFunction]) -> list[LocalFunction]:
        # The template builds the site's URL as https://<domain>; the gateway speaks http.
        deployed = f"https://{self.options.host}:{self.options.port}"
        for function in functions:
            for name, value in function.environment.items():
                if value.startswith(deployed):
                    function.environment[name] = self.base_url + value.removeprefix(deployed)
        return functions

    def gateway(self) -> Starlette:
        template, lambdas = self._started()
        control: list[BaseRoute] = [
            Mount("/local/lambda", routes=lambda_invoke_routes(lambdas, knows=lambdas.knows)),
        ]
        if self.channel is not None:
            from local.ivs.api import ivs_api_routes

            # The console reads the ingest server and key through the REST API, as in AWS.
            routes = ivs_api_routes(self.channel, stream_key_arn=self._stream_key_arn())
            control.append(Mount("/local/ivs", routes=routes))
        return create_gateway(
            GatewaySettings(
                host=self.options.host,
                port=self.options.port,
                web_dir=self.options.web_dir,
                live_dir=self.options.work_dir / "live",
                runtime_config=self.runtime_config,
                aws_endpoint=aws.endpoint_url("cognito-idp") or "",
                rest_resources=rest_resources(template),
                websocket=websocket_wiring(template),
                allowed_origins=_read_settings(lambdas.functions, template).allowed_origins,
                site_headers=site_headers(template),
                region=template.region,
                account_id=template.account_id,
                stage=LOCAL_STAGE,
                rest_api_id=provision.LOCAL_REST_API_ID,
                websocket_api_id=provision.LOCAL_WEBSOCKET_API_ID,
                control_routes=control,
            ),
            lambdas,
            self.hub,
        )

    def _stream_key_arn(self) -> str | None:
        """The ARN of the template's stream key of the local channel (provisioned locally)."""
        template, _ = self._started()
        for key in template.of_type("AWS::IVS::StreamKey"):
            if template.resolve(key.properties["ChannelArn"]) == self.channel.config.channel_arn:
                return str(template.resolve({"Ref": key.logical_id}))
        return None

    def start_triggers(self) -> None:
        """What invokes functions without a client asking: event source mappings, rule
        targets and schedules. Start them once the gateway serves (functions and workflows
        call its APIs)."""
        template, lambdas = self._started()
        self.triggers = Triggers(
            template,
            lambdas,
            self.rule_targets,
            permission_check=self._role_allows,
            clock_speed=self.options.clock_speed,
        )
        self.triggers.start()

    def _role_allows(self, function: str, action: str, resource: str) -> bool:
        """What Lambda's own pollers check before they run a mapping for `function`."""
        template, lambdas = self._started()
        policy = role_policies(template, lambdas.function(function).logical_id)
        return policy.evaluate(Permission(action, resource)).allowed

    def stop(self) -> None:
        """Stop the triggers, the stream (finalizing its recording into S3), the functions,
        then the AWS."""
        if self.triggers is not None:
            self.triggers.stop()
            self.triggers = None
        if self.channel is not None:
            try:
                self.channel.stop()
            finally:
                self.channel = None
        if self.lambdas is not None:
            self.lambdas.stop()
            self.lambdas = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None

    def _started(self) -> tuple[Template, LambdaService]:
        if self.template is None or self.lambdas is None:
            raise RuntimeError("start() the runtime first")
        return self.template, self.lambdas

    def _start_aws(self) -> None:
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("AWS_REGION", "us-east-1")
        if os.environ.get("AWS_ENDPOINT_URL"):
            log.info("using the AWS endpoint at %s", os.environ["AWS_ENDPOINT_URL"])
            return
        self.embedded = EmbeddedAws(
            self.options.aws_port, lambda_endpoint=f"{self.base_url}/local/lambda"
        )
        self.embedded.start()
        os.environ["AWS_ENDPOINT_URL"] = self.embedded.endpoint

    def _bridge_step_functions(self) -> None:
        """moto runs state machines when asked, but invokes Lambda through Docker: send its
        Lambda tasks to the gateway's Invoke API instead. Only an in-process moto can be
        bridged; LocalStack or AWS run workflows with their own Step Functions."""
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        if self.embedded is not None:  # bridged in its own process, as it started
            self.step_functions_bridged = True
        elif served_in_this_process(endpoint):  # a moto that tests run in their process
            enable_local_executions(
                aws_endpoint=endpoint, lambda_endpoint=f"{self.base_url}/local/lambda"
            )
            self.step_functions_bridged = True
        else:
            log.warning("Step Functions at %s cannot invoke the local functions", endpoint)

    def _function_endpoints(self) -> dict[str, str]:
        """Where the functions' AWS clients go: the embedded AWS, and the gateway for the
        APIs it serves (@connections, Lambda, IVS), as API Gateway and AWS would."""
        return {
            "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
            "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
            "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
            "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": f"{self.base_url}/{LOCAL_STAGE}",
            "AWS_ENDPOINT_URL_LAMBDA": f"{self.base_url}/local/lambda",
            "AWS_ENDPOINT_URL_IVS": f"{self.base_url}/local/ivs",
        }

    def _seed(self, settings: Settings) -> None:
        from local import seed

        if settings.catalog_table is None or settings.user_pool_id is None:
            return  # not Vitrine's stack (a test stack): nothing to seed
        with _environment({Env.CATALOG_TABLE.value: settings.catalog_table}):
            seed.seed_catalog()
        seed.seed_staff(aws.client("cognito-idp"), settings.user_pool_id)

    def _start_stream(self, settings: Settings) -> Any:
        """The local IVS channel for the template's channel, recording where IVS would."""
        from local import ivs
        from local.ivs.config import channel_config

        options = self.options
        source: ivs.RtmpSource | ivs.PatternSource = (
            ivs.RtmpSource(port=options.rtmp_port, host=options.rtmp_host)
            if options.source == "rtmp"
            else ivs.PatternSource(brand_name=settings.brand_name)
        )
        config = channel_config(
            self._started()[0],
            source=source,
            work_dir=options.work_dir,
            playback_base_url=f"{self.base_url}/live",
        )
        publish = ivs.eventbridge_publisher(aws.client("events"))
        stand_in = ivs.LocalIvsChannel(config, s3_client=aws.client("s3"), on_event=publish)
        stand_in.start()
        if options.source == "testpattern" and not stand_in.wait_until_live(timeout=30):
            log.warning("the local stream is not live yet; see %s", stand_in.log_path)
        return stand_in


def _read_settings(functions: list[LocalFunction], template: Template) -> Settings:
    """The runtime's own view of the stack's settings (brand, user pool, catalog...), read
    from its functions' variables. Functions never see this: each has only its own."""
    values: dict[str, str] = {"AWS_REGION": template.region}
    for function in functions:
        values |= function.environment
    pool = next(template.of_type("AWS::Cognito::UserPool"), None)
    client = next(template.of_type("AWS::Cognito::UserPoolClient"), None)
    if pool is not None:
        values.setdefault(Env.USER_POOL_ID.value, template.resolve({"Ref": pool.logical_id}))
    if client is not None:
        values.setdefault(
            Env.USER_POOL_CLIENT_ID.value, template.resolve({"Ref": client.logical_id})
        )
    return Settings.from_env(values)


@contextlib.contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe(runtime: LocalRuntime) -> str:
    """The banner `make dev` prints: where everything is and how to sign in."""
    from local.seed import DEMO_SHOW_ID, STAFF, STAFF_PASSWORD

    base = runtime.base_url
    staff = ", ".join(f"{name} ({group})" for name, group in STAFF)
    functions = len(runtime.lambdas.functions) if runtime.lambdas else 0
    lines = [
        "Vitrine is running locally.",
        f"  Viewer page   {base}/?show={DEMO_SHOW_ID}",
        f"  Host console  {base}/host.html",
        f"  REST API      {base}/api/health",
        f"  WebSocket     ws://{runtime.options.host}:{runtime.options.port}/ws?show={DEMO_SHOW_ID}&viewer=<id>",
        f"  Live HLS      {runtime.runtime_config['playbackUrl']}",
        f"  Embedded AWS  {os.environ['AWS_ENDPOINT_URL']}  (AWS_ENDPOINT_URL)",
        f"  Functions     {functions}, logs in {runtime.options.work_dir / 'logs'}",
        f"  Staff sign-in {staff}; password {STAFF_PASSWORD}",
    ]
    if runtime.options.source == "rtmp" and runtime.channel is not None:
        lines.append(f"  RTMP ingest   {runtime.channel.ingest_url}  (OBS: server + stream key)")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)
