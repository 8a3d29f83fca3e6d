"""Errors that service functions raise; views and the API turn them into messages."""


class ServiceError(Exception):
    """Bad input or a rule broken: the message is for the user (translated)."""

    code = "invalid"
    status = 400

    def __init__(self, message, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAllowed(ServiceError):
    """The acting user may not do this."""

    code = "forbidden"
    status = 403


class Conflict(ServiceError):
    """The object changed or already exists."""

    code = "conflict"
    status = 409
