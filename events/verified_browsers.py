"""A verified e-mail is enough: browsers that may act for an address, without an account.

A person's first action on a board (proposing, voting, commenting, offering
help) is kept, and a link is sent to the address they gave. Following the link
confirms the address: the actions kept are done, and that browser may act for
the address for ``limits.VERIFIED_BROWSER_FOR`` (30 days) through a cookie.

The cookie holds ``<browser id>-<HMAC>``: the HMAC is made under the site's
secret from the row's random nonce, so the database holds nothing that opens
a browser (as with manage links, ``events.access``), and forgetting a browser
(``revoke``) makes its cookie worthless at once. The link in the e-mail is
likewise an HMAC of its row, made again when the e-mail is sent, never stored.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits, outbox, signed_links
from events.errors import NotFound, NotOpen
from events.idea_boards import IdeaBoard
from events.models import Base, Person, UTCDateTime, utcnow
from events.site import Site


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


class VerifiedBrowser(Base):
    """A browser that followed a confirmation link: it acts for the person until it expires."""

    __tablename__ = "verified_browsers"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), default=new_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined")


class AddressCheck(Base):
    """A confirmation link sent to an address, with the actions waiting for it."""

    __tablename__ = "address_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("idea_boards.id"))
    # What the person asked to do, in order (``idea_participation.Action`` as data).
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When its actions were done (the link may confirm other browsers until it expires).
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(lazy="joined")
    board: Mapped[IdeaBoard] = relationship()


def browser_token(site: Site, browser: VerifiedBrowser) -> str:
    """The cookie value that lets the browser act for its person."""
    mac = signed_links.mac(site.secret_key, "browser", browser.id, browser.nonce)
    return f"{browser.id}-{mac}"


def browser_for_token(session: Session, site: Site, token: str | None,
                      now: datetime | None = None) -> VerifiedBrowser | None:
    """The unexpired, unrevoked browser a cookie belongs to, or ``None`` (reads only)."""
    parts = signed_links.split_token(token or "")
    if parts is None:
        return None
    browser = session.get(VerifiedBrowser, parts[0])
    if (browser is None or browser.revoked_at is not None
            or browser.expires_at <= (now or utcnow())
            or not signed_links.same_mac(token or "", browser_token(site, browser))):
        return None
    return browser


def check_token(site: Site, check: AddressCheck) -> str:
    """The token of a confirmation link."""
    mac = signed_links.mac(site.secret_key, "address-check", check.id, check.person_id)
    return f"{check.id}-{mac}"


def check_for_token(session: Session, site: Site, token: str,
                    now: datetime | None = None) -> AddressCheck:
    """The unexpired confirmation a link belongs to, or ``NotFound``."""
    parts = signed_links.split_token(token)
    check = session.get(AddressCheck, parts[0]) if parts else None
    if (check is None or check.expires_at <= (now or utcnow())
            or not signed_links.same_mac(token, check_token(site, check))):
        raise NotFound("This confirmation link is not valid or has expired. "
                       "Take part again and we will send a new one.")
    return check


def keep_for_link(session: Session, board: IdeaBoard, person: Person, action: dict[str, Any],
                  now: datetime | None = None) -> bool:
    """Keep ``action`` until the person confirms their address; True if a link was sent.

    Actions within ``limits.BROWSER_LINK_QUIET`` of a link already sent join
    that link, so three votes before confirming make one e-mail.
    """
    now = now or utcnow()
    waiting = session.execute(
        select(AddressCheck).where(AddressCheck.person_id == person.id,
                                   AddressCheck.board_id == board.id,
                                   AddressCheck.used_at.is_(None),
                                   AddressCheck.created_at > now - limits.BROWSER_LINK_QUIET)
        .order_by(AddressCheck.id.desc()).limit(1).with_for_update(of=AddressCheck)
    ).scalar_one_or_none()
    if waiting is not None:
        if len(waiting.actions) >= limits.PENDING_ACTIONS_MAX:
            raise NotOpen("Please confirm your address with the link we sent before doing "
                          "more.")
        waiting.actions = [*waiting.actions, action]
        session.flush()
        return False
    check = AddressCheck(person=person, board=board, actions=[action], created_at=now,
                         expires_at=now + limits.BROWSER_LINK_VALID_FOR)
    session.add(check)
    session.flush()
    programme = board.programme
    outbox.enqueue_to(session, "idea_verify", person.email, person.name,
                      address_check_id=check.id, slug=programme.slug, board_name=programme.name,
                      sender_name=programme.sender_name or programme.name)
    return True


def open_browser(session: Session, check: AddressCheck,
                 now: datetime | None = None) -> VerifiedBrowser:
    """Let the browser that followed ``check``'s link act for its person from now on."""
    now = now or utcnow()
    browser = VerifiedBrowser(person=check.person, created_at=now,
                              expires_at=now + limits.VERIFIED_BROWSER_FOR)
    session.add(browser)
    session.flush()
    return browser


def revoke(session: Session, browser: VerifiedBrowser, now: datetime | None = None) -> None:
    """Forget the browser: its cookie no longer acts for anyone."""
    browser.revoked_at = now or utcnow()
    session.flush()


def link_for_message(site: Site, session: Session, context: dict[str, Any]) -> str | None:
    """The confirmation link an e-mail carries, signed when it is sent."""
    check = session.get(AddressCheck, context.get("address_check_id") or 0)
    if check is None:
        return None
    return site.links.confirm_address(check.board.programme.slug, check_token(site, check))
