"""The host's encoder settings: the show channel's ingest server and stream key."""

from chalice.app import Response
from pydantic import BaseModel

from functions.cart.handlers.api import Operation, Resource, answer
from functions.cart.logic import errors
from functions.common.events import StaffRole
from functions.common.observability import logger
from functions.common.settings import MissingSetting, Settings
from functions.common.streaming import IvsStreaming, NoIngestEndpoint, StreamingUnavailable

studio = Resource("studio")

NO_ENCODER = (
    "This channel takes no encoder right now: IVS gives it no ingest endpoint. Locally, the "
    'channel broadcasts its test pattern: start with `make dev ARGS="--source rtmp"` to stream '
    "from OBS or a phone app."
)


class Ingest(BaseModel):
    server: str  # rtmps://<endpoint>:443/app/
    stream_key: str


@studio.operation(
    Operation("/studio/ingest", "GET", "The RTMPS server and stream key for the host's encoder",
              "studio", staff=(StaffRole.HOST,), answer=Ingest, refusals=(409,))
)  # fmt: skip
def studio_ingest() -> Response:
    """The key lets anyone broadcast as the brand: hosts and admins only, and never cached."""
    settings = Settings.from_env()
    try:
        ingest = IvsStreaming().ingest(
            settings.require("channel_arn"), settings.require("stream_key_arn")
        )
    except MissingSetting as error:
        logger().error("no channel or stream key for the studio", extra={"error": str(error)})
        raise errors.unavailable(
            f"This deployment gives the API no channel or stream key ({error})."
        ) from error
    except NoIngestEndpoint as error:
        raise errors.conflict("no_ingest_endpoint", NO_ENCODER) from error
    except StreamingUnavailable as error:
        logger().warning("the stream settings are unavailable", extra={"error": str(error)})
        raise errors.unavailable(
            f"The stream settings are unavailable right now ({error}): try again."
        ) from error
    return answer(Ingest(server=ingest.server, stream_key=ingest.stream_key))
