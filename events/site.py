"""What the domain needs to know about where it is served from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit


class Links(Protocol):
    """Absolute addresses of the pages that e-mails and calendars point to.

    The web adapter builds them from its own routes, so the domain never
    spells a path: a route changed there changes every link here.
    """

    def event_page(self, event_id: int) -> str: ...

    def event_download(self, event_id: int) -> str: ...

    def join(self, token: str) -> str: ...

    def my_places(self, token: str) -> str: ...

    def my_discussion(self, token: str, discussion_id: int) -> str: ...

    def group_join(self, token: str) -> str: ...

    def discussion_page(self, discussion_id: int) -> str: ...

    def programme_feed(self, slug: str) -> str: ...

    def series_feed(self, series_id: int) -> str: ...

    def all_events_feed(self) -> str: ...

    def password_reset(self, token: str) -> str: ...

    def co_organiser_invitation(self, token: str) -> str: ...


@dataclass(frozen=True)
class Site:
    """Links, the sender and the secret behind signed links, for e-mails and calendars."""

    base_url: str
    sender_email: str
    secret_key: str
    links: Links

    @property
    def uid_domain(self) -> str:
        """The host part of calendar UIDs: stable for the life of the site."""
        return urlsplit(self.base_url).hostname or "mingle.invalid"
