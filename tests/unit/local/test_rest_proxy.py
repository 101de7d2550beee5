"""A function's proxy result becomes the HTTP response API Gateway would send."""

import base64

import pytest

from local.apigateway.rest import proxy_response


def test_a_proxy_result_is_the_response_with_each_repeated_header_kept() -> None:
    response = proxy_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "application/json", "x-count": 3},
            "multiValueHeaders": {"set-cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
        }
    )
    assert response.status_code == 201
    assert response.body == b'{"ok": true}'
    assert response.headers.getlist("set-cookie") == ["a=1", "b=2"]
    assert response.headers["x-count"] == "3"


def test_a_base64_body_is_decoded() -> None:
    body = base64.b64encode(b"\x00\x01").decode()
    assert proxy_response({"statusCode": 200, "body": body, "isBase64Encoded": True}).body == (
        b"\x00\x01"
    )


@pytest.mark.parametrize(
    "result",
    [
        None,
        "a string",
        {"body": "no status"},
        {"statusCode": "teapot"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": {"x": {"nested": 1}}},
    ],
)
def test_a_malformed_result_is_api_gateways_502(result: object) -> None:
    response = proxy_response(result)
    assert response.status_code == 502
    assert response.body == b'{"message":"Internal server error"}'
