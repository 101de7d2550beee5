"""Names IVS gives things: the channel ARN and its parts, stream and recording ids."""

import re
import secrets
import string
from dataclasses import dataclass

_ARN = re.compile(
    r"^arn:aws:ivs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):channel/(?P<channel_id>[A-Za-z0-9]+)$"
)
_ALPHANUMERIC = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class ChannelArn:
    """`arn:aws:ivs:<region>:<account>:channel/<channel_id>`, split into the parts IVS reuses
    in its events (region, account) and in its recording prefix (account, channel id)."""

    arn: str
    region: str
    account: str
    channel_id: str

    @classmethod
    def parse(cls, arn: str) -> "ChannelArn":
        match = _ARN.match(arn)
        if match is None:
            raise ValueError(f"not an IVS channel ARN: {arn!r}")
        return cls(arn=arn, **match.groupdict())


def _random_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


# Lengths as in IVS's examples: st-1A2b3c4D5e6F78ghij9Klmn, j8Z9O91ndcVs, a6RfV23ES97iyfoQ.
def new_stream_id() -> str:
    return f"st-{_random_id(23)}"


def new_recording_id() -> str:
    return _random_id(12)


def new_recording_session_id() -> str:
    return _random_id(16)
