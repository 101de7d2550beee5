from functions.common import aws


def test_a_client_follows_the_endpoint_of_the_moment(monkeypatch):
    """A process that moves to another embedded AWS (a benchmark's second part, a test) must
    not keep talking to the first one through a cached client."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    first = aws.client("sqs")
    assert aws.client("sqs") is first  # cached: one client per endpoint
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:2222")
    second = aws.client("sqs")
    assert second is not first
    assert second.meta.endpoint_url == "http://127.0.0.1:2222"


def test_a_service_specific_endpoint_wins(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")
    monkeypatch.setenv("AWS_ENDPOINT_URL_IVS", "http://127.0.0.1:3333/local/ivs")
    assert aws.client("ivs").meta.endpoint_url == "http://127.0.0.1:3333/local/ivs"
