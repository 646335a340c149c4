"""Refusals the domain gives, each with a reason a person can read.

What status a refusal answers with over HTTP is the web adapter's business
(``webapp.errors.STATUS``).
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse. ``field`` names the input at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """What was sent is not acceptable (``field`` says which part, if one)."""


class NotFound(DomainError):
    """There is no such thing, or not for this visitor (the two look the same)."""


class NotOpen(DomainError):
    """The thing exists but the rules do not allow this now (closed, full, started)."""


class Busy(DomainError):
    """A lock could not be had quickly; trying again shortly will work."""


class TooManyTries(DomainError):
    """Asked too often in a short time (a login tried again and again, say)."""
