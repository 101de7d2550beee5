"""Errors of the local IVS stand-in.

`IvsApiError`s are the errors IVS's API answers, with its codes and HTTP statuses: api.py
turns them into IVS's error responses, from which boto3 raises `ivs.exceptions.<code>`."""


class LocalIvsError(RuntimeError):
    """The stand-in itself cannot run: a port is taken, ffmpeg is missing or fails."""


class PortInUse(LocalIvsError):
    pass


class FfmpegFailed(LocalIvsError):
    pass


class IvsApiError(Exception):
    code = "InternalServerException"
    status = 500

    def __init__(self, message: str, operation: str) -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


class ValidationException(IvsApiError):
    code = "ValidationException"
    status = 400


class ChannelNotBroadcasting(IvsApiError):
    code = "ChannelNotBroadcasting"
    status = 404


class ThrottlingException(IvsApiError):
    code = "ThrottlingException"
    status = 429


class ResourceNotFoundException(IvsApiError):
    code = "ResourceNotFoundException"
    status = 404
