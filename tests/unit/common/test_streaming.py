"""The streaming port: the IVS adapter's calls and error mapping (botocore's Stubber, no
network) and the in-memory fake that handler tests use in its place."""

from datetime import UTC, datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from functions.common.streaming import (
    ChannelOffline,
    IngestDetails,
    IvsStreaming,
    MetadataThrottled,
    MetadataTooLarge,
    NoIngestEndpoint,
    StreamInfo,
    StreamingUnavailable,
    StreamState,
    encode_metadata,
    ingest_server,
)
from tests.unit.common.fake_streaming import FakeStreaming

ARN = "arn:aws:ivs:us-east-1:123456789012:channel/AbCdef1G2hij"
PLAYBACK = "https://abc.us-east-1.playback.live-video.net/api/video/v1/x.m3u8"
STREAM_ID = "st-1A2b3c4D5e6F78ghij9Klmn"
KEY_ARN = "arn:aws:ivs:us-east-1:123456789012:stream-key/g1H2I3j4k5L6"
INGEST = "f99084460c35.global-contribute.live-video.net"
KEY_VALUE = "sk_us-east-1_AbCdEf123456_s3cr3t"


@pytest.fixture
def ivs():
    client = boto3.client("ivs", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_metadata_is_compact_json_of_at_most_1_kb():
    assert encode_metadata({"type": "product.featured", "id": 1}) == (
        '{"type":"product.featured","id":1}'
    )
    encode_metadata({"x": "a" * 1016})  # exactly 1024 bytes
    with pytest.raises(MetadataTooLarge):
        encode_metadata({"x": "a" * 1017})


def test_put_metadata_sends_the_encoded_cue(ivs):
    client, stubber = ivs
    stubber.add_response("put_metadata", {}, {"channelArn": ARN, "metadata": '{"n":1}'})
    IvsStreaming(client).put_metadata(ARN, {"n": 1})


def test_an_offline_channel_is_channel_offline_for_put_metadata_and_stop_stream(ivs):
    client, stubber = ivs
    for operation in ("put_metadata", "stop_stream"):
        stubber.add_client_error(operation, "ChannelNotBroadcasting", http_status_code=404)
    streaming = IvsStreaming(client)
    with pytest.raises(ChannelOffline):
        streaming.put_metadata(ARN, {"n": 1})
    with pytest.raises(ChannelOffline):
        streaming.stop_stream(ARN)


def test_a_throttled_cue_is_told_apart_for_the_caller_to_retry(ivs):
    client, stubber = ivs
    stubber.add_client_error("put_metadata", "ThrottlingException", http_status_code=429)
    with pytest.raises(MetadataThrottled):
        IvsStreaming(client).put_metadata(ARN, {"n": 1})


def test_other_ivs_errors_are_not_mistaken_for_an_offline_channel(ivs):
    client, stubber = ivs
    stubber.add_client_error("put_metadata", "ValidationException", http_status_code=400)
    with pytest.raises(client.exceptions.ValidationException):
        IvsStreaming(client).put_metadata(ARN, {"n": 1})


def test_stream_info_of_a_live_and_of_an_offline_channel(ivs):
    client, stubber = ivs
    started = datetime(2026, 5, 4, 20, 7, 36, tzinfo=UTC)
    channel = {"channel": {"arn": ARN, "playbackUrl": PLAYBACK}}
    stream = {"stream": {"streamId": STREAM_ID, "state": "LIVE", "startTime": started}}
    stubber.add_response("get_channel", channel, {"arn": ARN})
    stubber.add_response("get_stream", stream, {"channelArn": ARN})
    stubber.add_response("get_channel", channel, {"arn": ARN})
    stubber.add_client_error("get_stream", "ChannelNotBroadcasting", http_status_code=404)
    streaming = IvsStreaming(client)
    assert streaming.stream_info(ARN) == StreamInfo(StreamState.LIVE, STREAM_ID, PLAYBACK, started)
    assert streaming.stream_info(ARN) == StreamInfo(StreamState.OFFLINE, playback_url=PLAYBACK)


def test_the_ingest_server_is_rtmps_on_443_for_an_ivs_endpoint():
    assert ingest_server(INGEST) == f"rtmps://{INGEST}:443/app/"
    # The local stand-in names its port: plain RTMP, it has no TLS.
    assert ingest_server("127.0.0.1:1935") == "rtmp://127.0.0.1:1935/app/"


def test_ingest_reads_the_channels_endpoint_and_the_keys_value(ivs):
    client, stubber = ivs
    channel = {"channel": {"arn": ARN, "ingestEndpoint": INGEST}}
    key = {"streamKey": {"arn": KEY_ARN, "channelArn": ARN, "value": KEY_VALUE, "tags": {}}}
    stubber.add_response("get_channel", channel, {"arn": ARN})
    stubber.add_response("get_stream_key", key, {"arn": KEY_ARN})

    assert IvsStreaming(client).ingest(ARN, KEY_ARN) == IngestDetails(
        f"rtmps://{INGEST}:443/app/", KEY_VALUE
    )


def test_a_channel_without_an_ingest_endpoint_takes_no_encoder_and_its_key_is_not_read(ivs):
    client, stubber = ivs
    stubber.add_response("get_channel", {"channel": {"arn": ARN}}, {"arn": ARN})
    with pytest.raises(NoIngestEndpoint):
        IvsStreaming(client).ingest(ARN, KEY_ARN)


@pytest.mark.parametrize(
    ("failing", "code"),
    [("get_channel", "AccessDeniedException"), ("get_stream_key", "ResourceNotFoundException")],
)
def test_a_refused_ingest_call_is_streaming_unavailable_naming_the_call(ivs, failing, code):
    client, stubber = ivs
    if failing == "get_stream_key":
        stubber.add_response("get_channel", {"channel": {"ingestEndpoint": INGEST}}, {"arn": ARN})
    stubber.add_client_error(failing, code, http_status_code=404)
    operation = "GetChannel" if failing == "get_channel" else "GetStreamKey"
    with pytest.raises(StreamingUnavailable, match=f"IVS {operation} answered {code}"):
        IvsStreaming(client).ingest(ARN, KEY_ARN)


def test_an_unreachable_ivs_is_streaming_unavailable():
    # As the adapter's own client: one attempt (the console offers "Try again").
    client = boto3.client(
        "ivs", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1})
    )

    def refuse(**_):  # what botocore raises when nothing listens at the endpoint
        raise EndpointConnectionError(endpoint_url="https://ivs.us-east-1.amazonaws.com")

    client.meta.events.register("before-send.ivs.GetChannel", refuse)
    with pytest.raises(StreamingUnavailable, match="GetChannel could not be reached"):
        IvsStreaming(client).ingest(ARN, KEY_ARN)


def test_the_fake_behaves_like_the_port():
    fake = FakeStreaming()
    assert fake.stream_info(ARN).state is StreamState.OFFLINE
    with pytest.raises(ChannelOffline):
        fake.put_metadata(ARN, {"n": 1})
    with pytest.raises(ChannelOffline):
        fake.stop_stream(ARN)
    fake.go_live(ARN)
    with pytest.raises(MetadataTooLarge):
        fake.put_metadata(ARN, {"x": "a" * 1017})
    fake.put_metadata(ARN, {"n": 1})
    assert fake.cues == [(ARN, {"n": 1})]
    assert fake.stream_info(ARN) == StreamInfo(StreamState.LIVE, "st-fake", fake.playback_url)
    fake.stop_stream(ARN)
    assert fake.stream_info(ARN).state is StreamState.OFFLINE
