"""Refusals the domain gives, each with a reason a person can read."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. ``field`` names the input at fault, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class NotOpen(DomainError):
    """The event exists but takes no registrations now."""

    status = 409


class Busy(DomainError):
    """A lock could not be had quickly; trying again shortly will work."""

    status = 503
