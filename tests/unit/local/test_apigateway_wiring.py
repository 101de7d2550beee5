import pytest

from local.apigateway.wiring import WebSocketWiring

WIRING = WebSocketWiring(
    routes={"$connect": "c", "$disconnect": "d", "$default": "default", "chat": "chat-handler"},
    authorizer="auth",
    identity_sources=("route.request.querystring.show", "route.request.header.X-Brand"),
    selection_expression="$request.body.action",
)


@pytest.mark.parametrize(
    ("body", "route"),
    [
        ('{"action": "chat"}', "chat"),
        ('{"action": "ping"}', "$default"),  # no such route
        ('{"action": "$connect"}', "$default"),  # reserved keys are never selected by a frame
        ('{"action": 3}', "$default"),
        ("not json", "$default"),
        ("[1]", "$default"),
    ],
)
def test_frames_are_routed_by_the_selection_expression(body, route):
    assert WIRING.route_for_frame(body) == route


def test_without_a_default_route_an_unmatched_frame_has_no_route():
    wiring = WebSocketWiring({"chat": "h"}, None, (), "$request.body.action")
    assert wiring.route_for_frame('{"action": "other"}') is None


def test_every_identity_source_must_be_present():
    assert not WIRING.missing_identity({"show": "s"}, {"x-brand": "b"})
    assert WIRING.missing_identity({}, {"x-brand": "b"})
    assert WIRING.missing_identity({"show": "s"}, {})
