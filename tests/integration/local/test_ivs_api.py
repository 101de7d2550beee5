"""The local IVS control API through a real boto3 `ivs` client and a real HTTP server: the
routes mounted under a path prefix as the gateway mounts them, each answer and each error
turned by botocore into the `ivs.exceptions` class it would raise against AWS."""

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import uvicorn
from botocore.config import Config
from starlette.applications import Starlette
from starlette.routing import Mount

from functions.common import aws
from functions.common.streaming import (
    ChannelOffline,
    IngestDetails,
    IvsStreaming,
    NoIngestEndpoint,
    StreamingUnavailable,
    StreamState,
)
from local.ivs import ChannelConfig, LocalIvsChannel, PatternSource, RtmpSource, ivs_api_routes
from tests.conftest import free_port
from tests.integration.local.test_ivs_channel import (
    RECORDING_END,
    RECORDING_START,
    STREAM_END,
    STREAM_START,
    eventually,
    kinds,
    live_cues,
    publish,
    texts,
)

pytestmark = pytest.mark.integration

ARN = "arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij"
UNKNOWN = "arn:aws:ivs:us-east-1:123456789012:channel/Unknown12345"
RECORDING_CONFIGURATION = "arn:aws:ivs:us-east-1:123456789012:recording-configuration/Rc1"
STREAM_KEY = "arn:aws:ivs:us-east-1:123456789012:stream-key/g1H2I3j4k5L6"


class Served:
    """One channel behind the API on a real port; `ivs` is a boto3 client without retries,
    so a throttled call is seen rather than retried away."""

    def __init__(self, channel: LocalIvsChannel, endpoint: str) -> None:
        self.channel = channel
        self.endpoint = endpoint
        self.ivs = boto3.client(
            "ivs",
            endpoint_url=endpoint,
            region_name=aws.region(),
            config=Config(retries={"total_max_attempts": 1}),
        )


@pytest.fixture
def recordings(aws_endpoint: str) -> tuple[object, str]:
    s3 = boto3.client("s3", endpoint_url=aws_endpoint, region_name=aws.region())
    bucket = f"ivs-recordings-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    return s3, bucket


@pytest.fixture
def events() -> list[dict]:
    return []


@pytest.fixture
def serve(tmp_path: Path, recordings, events) -> Iterator[Callable[..., Served]]:
    """`serve(**config)`: a channel (not started) and its API at /local/ivs on a free port."""
    s3, bucket = recordings
    started: list[tuple[LocalIvsChannel, uvicorn.Server, threading.Thread]] = []

    def make(**overrides: object) -> Served:
        settings: dict = {
            "channel_arn": ARN,
            "channel_name": "vitrine-live",
            "recordings_bucket": bucket,
            "live_dir": tmp_path / "live",
            "work_dir": tmp_path / "work",
            "playback_base_url": "http://127.0.0.1:8000/live",
            "recording_configuration_arn": RECORDING_CONFIGURATION,
        }
        config = ChannelConfig(**(settings | overrides))
        channel = LocalIvsChannel(config, s3_client=s3, on_event=events.append)
        routes = ivs_api_routes(channel, stream_key_arn=STREAM_KEY)
        app = Starlette(routes=[Mount("/local/ivs", routes=routes)])
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        started.append((channel, server, thread))
        eventually(lambda: server.started, timeout=10, what="the API server")
        return Served(channel, f"http://127.0.0.1:{port}/local/ivs")

    yield make
    for channel, server, thread in started:
        channel.stop()
        server.should_exit = True
        thread.join(10)


def test_get_channel_describes_the_local_channel(serve):
    api = serve(source=RtmpSource(port=1935, host="127.0.0.1"), latency_mode="NORMAL")
    channel = api.ivs.get_channel(arn=ARN)["channel"]
    assert channel["arn"] == ARN
    assert channel["name"] == "vitrine-live"
    assert (channel["latencyMode"], channel["type"]) == ("NORMAL", "STANDARD")
    assert channel["playbackUrl"] == "http://127.0.0.1:8000/live/master.m3u8"
    assert channel["ingestEndpoint"] == "127.0.0.1:1935"
    assert channel["recordingConfigurationArn"] == RECORDING_CONFIGURATION
    assert channel["authorized"] is False


def test_the_test_pattern_channel_has_no_ingest_endpoint(serve):
    api = serve(source=PatternSource())
    assert "ingestEndpoint" not in api.ivs.get_channel(arn=ARN)["channel"]


def test_get_stream_key_gives_the_rtmp_ingests_key_as_ivs_shapes_it(serve):
    api = serve(source=RtmpSource(port=1935, stream_key="sk_local_key"))
    key = api.ivs.get_stream_key(arn=STREAM_KEY)["streamKey"]
    assert key == {"arn": STREAM_KEY, "channelArn": ARN, "value": "sk_local_key", "tags": {}}


def test_another_stream_key_is_not_found(serve):
    api = serve(source=RtmpSource(port=1935))
    with pytest.raises(api.ivs.exceptions.ResourceNotFoundException) as error:
        api.ivs.get_stream_key(arn=f"{STREAM_KEY}x")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_the_adapter_reads_the_local_ingest_and_says_when_the_channel_takes_no_encoder(
    serve, monkeypatch
):
    rtmp = serve(source=RtmpSource(port=1936, host="127.0.0.1", stream_key="sk_obs"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", rtmp.endpoint)
    assert IvsStreaming().ingest(ARN, STREAM_KEY) == IngestDetails(
        "rtmp://127.0.0.1:1936/app/", "sk_obs"
    )
    with pytest.raises(StreamingUnavailable, match="GetStreamKey answered ResourceNotFound"):
        IvsStreaming().ingest(ARN, f"{STREAM_KEY}x")

    pattern = serve(source=PatternSource())
    monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", pattern.endpoint)
    with pytest.raises(NoIngestEndpoint):
        IvsStreaming().ingest(ARN, STREAM_KEY)


def test_an_offline_channel_is_not_broadcasting(serve):
    api = serve()
    not_broadcasting = api.ivs.exceptions.ChannelNotBroadcasting
    with pytest.raises(not_broadcasting) as error:
        api.ivs.get_stream(channelArn=ARN)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error.value.response["Error"]["Message"] == "The channel is not live"
    with pytest.raises(not_broadcasting):
        api.ivs.put_metadata(channelArn=ARN, metadata='{"product_id":"p-1"}')
    with pytest.raises(not_broadcasting):
        api.ivs.stop_stream(channelArn=ARN)


def test_another_channel_is_not_found_by_any_call(serve):
    api = serve()
    not_found = api.ivs.exceptions.ResourceNotFoundException
    calls = [
        lambda: api.ivs.get_channel(arn=UNKNOWN),
        lambda: api.ivs.get_stream(channelArn=UNKNOWN),
        lambda: api.ivs.put_metadata(channelArn=UNKNOWN, metadata="{}"),
        lambda: api.ivs.stop_stream(channelArn=UNKNOWN),
        lambda: api.ivs.get_stream_key(arn=UNKNOWN),
    ]
    for call in calls:
        with pytest.raises(not_found):
            call()


def test_metadata_over_1_kb_is_a_validation_exception(serve):
    api = serve()
    with pytest.raises(api.ivs.exceptions.ValidationException) as error:
        api.ivs.put_metadata(channelArn=ARN, metadata="x" * 1025)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_live_stream_takes_metadata_up_to_5_calls_a_second(serve, tmp_path):
    api = serve()
    api.channel.start()
    assert api.channel.wait_until_live(timeout=20)

    stream = api.ivs.get_stream(channelArn=ARN)["stream"]
    assert stream["state"] == "LIVE"
    assert stream["streamId"] == api.channel.stream_info(ARN).stream_id
    assert stream["playbackUrl"] == "http://127.0.0.1:8000/live/master.m3u8"
    assert stream["startTime"].tzinfo is not None  # parsed by botocore as a timestamp
    assert (stream["health"], stream["viewerCount"]) == ("HEALTHY", 0)

    # A fresh broadcast starts with a fresh quota: five calls pass, the sixth is throttled.
    for index in range(5):
        api.ivs.put_metadata(channelArn=ARN, metadata=f'{{"n":{index}}}')
    with pytest.raises(api.ivs.exceptions.ThrottlingException) as throttled:
        api.ivs.put_metadata(channelArn=ARN, metadata='{"n":5}')
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    sent = [f'{{"n":{index}}}' for index in range(5)]
    eventually(  # the cues reach the stream
        lambda: texts(live_cues(api.channel.config, tmp_path)) == sent,
        timeout=15,
        what="the cues in the live segments",
    )


def test_stop_stream_ends_the_broadcast_and_the_test_pattern_reconnects(serve, events):
    api = serve(pattern_reconnect_seconds=0.5)
    api.channel.start()
    assert api.channel.wait_until_live(timeout=20)
    first = api.ivs.get_stream(channelArn=ARN)["stream"]["streamId"]

    assert api.ivs.stop_stream(channelArn=ARN)["ResponseMetadata"]["HTTPStatusCode"] == 200

    eventually(lambda: RECORDING_END in kinds(events), timeout=30, what="Recording End")
    assert kinds(events) == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]
    assert events[2]["detail"]["stream_id"] == first
    # Like an encoder set to reconnect (OBS), the pattern comes back as a new stream.
    eventually(lambda: len(events) >= 5, timeout=30, what="a second Stream Start")
    assert kinds(events)[4] == STREAM_START
    second = api.ivs.get_stream(channelArn=ARN)["stream"]["streamId"]
    assert second == events[4]["detail"]["stream_id"] != first


def test_stop_stream_disconnects_the_rtmp_publisher_and_the_ingest_listens_again(serve, events):
    api = serve(source=RtmpSource(port=free_port(), stream_key="sk_stop_test"))
    api.channel.start()
    publisher = publish(api.channel.ingest_url, seconds=120, size="640x360")
    try:
        assert api.channel.wait_until_live(timeout=20)
        api.ivs.stop_stream(channelArn=ARN)

        eventually(lambda: RECORDING_END in kinds(events), timeout=30, what="Recording End")
        assert kinds(events) == [STREAM_START, RECORDING_START, STREAM_END, RECORDING_END]
        eventually(lambda: publisher.poll() is not None, timeout=15, what="the publisher cut off")
        with pytest.raises(api.ivs.exceptions.ChannelNotBroadcasting):
            api.ivs.get_stream(channelArn=ARN)
    finally:
        publisher.kill()
        publisher.wait()

    # The listener is back: the next publisher is a new stream.
    eventually(lambda: api.channel.ffmpeg_pid, timeout=10, what="the relaunched listener")
    again = publish(api.channel.ingest_url, seconds=3, size="640x360")
    eventually(lambda: len(events) >= 5, timeout=30, what="a second Stream Start")
    assert kinds(events)[4] == STREAM_START
    assert again.wait(timeout=30) == 0


def test_the_streaming_adapter_reaches_the_local_api_through_aws_endpoint_url_ivs(
    serve, monkeypatch, tmp_path
):
    api = serve()
    monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", api.endpoint)  # clients are cached per endpoint
    streaming = IvsStreaming()
    offline = streaming.stream_info(ARN)
    assert offline.state is StreamState.OFFLINE
    assert offline.playback_url == "http://127.0.0.1:8000/live/master.m3u8"
    with pytest.raises(ChannelOffline):
        streaming.put_metadata(ARN, {"product_id": "p-1"})
    with pytest.raises(ChannelOffline):
        streaming.stop_stream(ARN)

    api.channel.start()
    assert api.channel.wait_until_live(timeout=20)
    live, truth = streaming.stream_info(ARN), api.channel.stream_info(ARN)
    assert (live.state, live.stream_id) == (StreamState.LIVE, truth.stream_id)
    assert abs(live.started_at - truth.started_at) < timedelta(milliseconds=1)
    streaming.put_metadata(ARN, {"type": "product.featured", "product_id": "p-1"})
    eventually(
        lambda: (
            texts(live_cues(api.channel.config, tmp_path))
            == ['{"type":"product.featured","product_id":"p-1"}']
        ),
        timeout=15,
        what="the cue in the live segments",
    )
    streaming.stop_stream(ARN)
    eventually(
        lambda: streaming.stream_info(ARN).state is StreamState.OFFLINE,
        timeout=30,
        what="the stream to end",
    )
