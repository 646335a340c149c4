"""What the domain needs to know about where it is served from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    """Absolute addresses and secrets for links in e-mails and calendars."""

    base_url: str
    sender_email: str
    secret_key: str

    def url(self, path: str) -> str:
        """Return the absolute URL of an application path such as ``/events/3``."""
        return self.base_url.rstrip("/") + path

    @property
    def uid_domain(self) -> str:
        """The host part of calendar UIDs: stable for the life of the site."""
        return urlsplit(self.base_url).hostname or "mingle.invalid"
