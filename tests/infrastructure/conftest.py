"""Synthesized Vitrine apps shared by every infrastructure test (jsii and synth cost seconds).

`default_stack` (tests/conftest.py, shared with the local runtime's tests) is the app as
cdk.json configures it; `custom_stack` the app with every `vitrine:*` context key changed, for
what the context switches. Both skip bundling (through infra.synth, as the local runtime does)."""

import pytest

from tests.synthesized import Synthesized, synthesize_app

CUSTOM_CONTEXT = {
    "vitrine:brandName": "Maison Test",
    "vitrine:channelType": "ADVANCED_HD",
    "vitrine:latencyMode": "NORMAL",
    # As `cdk synth -c vitrine:recording=false` passes it: a string.
    "vitrine:recording": "false",
    "vitrine:allowedOrigins": ["https://shop.example.com", "https://www.example.com"],
    "vitrine:customDomain": {
        "domainName": "live.example.com",
        "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234",
    },
    "vitrine:chatCoalesceSeconds": "3",
    "vitrine:fanoutShardSize": 500,
    "vitrine:alarmEmail": "oncall@example.com",
    "vitrine:holdSeconds": 900,
    "vitrine:checkout": {
        "adapter": "webhook",
        "url": "https://hooks.example.com/vitrine",
        "opensIn": "same_tab",
    },
    "vitrine:timeZone": "Europe/Paris",
}


@pytest.fixture(scope="session")
def custom_stack(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Every context key changed; and no built web app (the placeholder must do)."""
    return synthesize_app(
        tmp_path_factory.mktemp("cdk.out"),
        context=CUSTOM_CONTEXT,
        site_dir=tmp_path_factory.mktemp("not-built"),
    )
