"""Pieces of the links Mingle signs: ``<row id>-<HMAC>`` tokens and small ids.

Anything here reads text that strangers type into an address bar, so it
refuses rather than raises: ``"²".isdigit()`` is true but ``int("²")`` fails,
``hmac.compare_digest`` raises on non-ASCII text, and ids beyond a 32-bit
integer make PostgreSQL refuse the query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_ID = re.compile(r"[0-9]{1,9}")


def small_id(text: str) -> int | None:
    """The id written in ``text`` (ASCII digits, at most nine), or ``None``."""
    return int(text) if _ID.fullmatch(text) else None


def split_token(token: str) -> tuple[int, str] | None:
    """``(row id, mac)`` of a ``<id>-<mac>`` token, or ``None`` if it has not that shape."""
    head, _, mac = token.partition("-")
    row_id = small_id(head)
    return (row_id, mac) if row_id is not None and mac else None


def same_mac(given: str, expected: str) -> bool:
    """Constant-time comparison that also accepts (and refuses) non-ASCII input."""
    return hmac.compare_digest(given.encode(), expected.encode())


def mac(secret_key: str, purpose: str, *parts: object, length: int = 24) -> str:
    """URL-safe HMAC-SHA256 of ``purpose:part:...`` under the site's secret.

    ``purpose`` keeps a token made for one kind of link from opening another.
    """
    message = ":".join([purpose, *map(str, parts)]).encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:length]).decode().rstrip("=")


def digest(token: str) -> str:
    """The SHA-256 of a token, as stored for look-up in place of the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()
