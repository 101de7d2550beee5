"""Errors of the local IVS stand-in.

API errors are botocore `ClientError`s carrying IVS's error codes, so code written against
boto3 (`error.response["Error"]["Code"] == "ChannelNotBroadcasting"`) behaves the same locally."""

from botocore.exceptions import ClientError


class LocalIvsError(RuntimeError):
    """The stand-in itself cannot run: a port is taken, ffmpeg is missing or fails."""


class PortInUse(LocalIvsError):
    pass


class FfmpegFailed(LocalIvsError):
    pass


class IvsApiError(ClientError):
    code = "InternalServerException"
    status = 500

    def __init__(self, message: str, operation: str) -> None:
        super().__init__(
            {
                "Error": {"Code": self.code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": self.status},
            },
            operation,
        )


class ChannelNotBroadcasting(IvsApiError):
    code = "ChannelNotBroadcasting"
    status = 404


class ThrottlingException(IvsApiError):
    code = "ThrottlingException"
    status = 429


class ResourceNotFoundException(IvsApiError):
    code = "ResourceNotFoundException"
    status = 404
