"""VitrineStack: the whole platform in one stack. It only wires the domain constructs together,
handing each one the resources (objects, not names) it uses."""

from pathlib import Path

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from functions.common.settings import Env
from infra.cart.construct import Cart
from infra.chat.construct import Chat
from infra.config import VitrineConfig
from infra.data.construct import Data
from infra.functions import PythonFunctions
from infra.identity.construct import Identity
from infra.monitoring import Monitoring
from infra.streaming.construct import Streaming
from infra.web.construct import Web, resolve_site_dir

STACK_NAME = "VitrineStack"


class VitrineStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: VitrineConfig, site_dir: Path
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Vitrine live shopping for {config.brand_name}",
        )

        # First, so that a deployment without the built web app fails before any bundling.
        site_dir = resolve_site_dir(self, site_dir)

        # One dashboard and one alarm topic, which each domain construct adds itself to.
        monitoring = Monitoring(self, "Monitoring", alarm_email=config.alarm_email)
        data = Data(self, "Data")
        streaming = Streaming(
            self, "Streaming", config=config, recordings_bucket=data.recordings_bucket
        )
        identity = Identity(self, "Identity")
        functions = PythonFunctions(self, "Functions")
        chat = Chat(
            self,
            "Chat",
            config=config,
            functions=functions,
            monitoring=monitoring,
            catalog=data.catalog,
            connections=data.connections,
            events_table=data.events,
            chat=data.chat,
            channel=streaming.channel,
            stream_state_rule=streaming.stream_state_rule,
            user_pool=identity.user_pool,
            user_pool_client=identity.web_client,
        )
        cart = Cart(
            self,
            "Cart",
            config=config,
            functions=functions,
            monitoring=monitoring,
            catalog=data.catalog,
            carts=data.carts,
            events_table=data.events,
            user_pool=identity.user_pool,
            user_pool_client=identity.web_client,
            channel=streaming.channel,
            stream_key=streaming.stream_key,
        )
        # API Gateway writes every log through one account-wide role, which the REST API sets;
        # the WebSocket stage's logging must not be deployed before it.
        chat.stage.node.add_dependency(cart.api)

        web = Web(
            self,
            "Web",
            config=config,
            site_dir=site_dir,
            access_logs_bucket=data.access_logs_bucket,
            runtime_config={
                "brandName": config.brand_name,
                "region": self.region,
                "apiUrl": cart.url,
                "websocketUrl": chat.url,
                "playbackUrl": streaming.channel.attr_playback_url,
                "userPoolId": identity.user_pool.user_pool_id,
                "userPoolClientId": identity.web_client.user_pool_client_id,
                "cognitoEndpoint": f"https://cognito-idp.{self.region}.amazonaws.com/",
                "allowedOrigins": list(config.allowed_origins),
                "timeZone": config.time_zone,
            },
        )

        # Links back to a show (calendar entries) point at the viewer page.
        cart.function.add_environment(Env.SITE_URL, web.url)

        for name, value, description in [
            ("WebUrl", web.url, "The viewer page and the staff console"),
            ("ApiUrl", cart.url, "REST API (Chalice)"),
            ("WebSocketUrl", chat.url, "Live chat WebSocket"),
            ("PlaybackUrl", streaming.channel.attr_playback_url, "IVS playback (HLS)"),
            ("IngestEndpoint", streaming.channel.attr_ingest_endpoint, "RTMPS ingest server"),
            ("StreamKeyArn", streaming.stream_key.attr_arn, "aws ivs get-stream-key --arn …"),
            ("UserPoolId", identity.user_pool.user_pool_id, "Staff user pool"),
            (
                "StorefrontSecretArn",
                cart.storefront_secret.secret_arn,
                "The storefront's HMAC key: aws secretsmanager get-secret-value --secret-id …",
            ),
        ]:
            CfnOutput(self, name, value=value, description=description)
