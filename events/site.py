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

    def programme_page(self, slug: str) -> str: ...
    def feedback(self, token: str) -> str: ...

    def follow_up(self, token: str) -> str: ...

    def programme_feed(self, slug: str) -> str: ...

    def series_page(self, series_id: int) -> str: ...

    def series_feed(self, series_id: int) -> str: ...

    def all_events_feed(self) -> str: ...

    def password_reset(self, token: str) -> str: ...

    def co_organiser_invitation(self, token: str) -> str: ...

    def speaker_page(self, token: str) -> str: ...

    def speaker_invitation(self, token: str, role_id: int, answer: str | None = None) -> str: ...

    def speaker_join(self, token: str) -> str: ...

    def speaker_lost_link(self) -> str: ...
    def idea_board(self, slug: str) -> str: ...

    def idea_page(self, slug: str, idea_id: int) -> str: ...

    def confirm_address(self, slug: str, token: str) -> str: ...

    def stop_idea_news(self, token: str) -> str: ...


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
