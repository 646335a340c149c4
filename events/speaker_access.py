"""Who may reach what on the speaker side: the speaker's own link and their join links.

A guest, facilitator, presenter or assistant has no account. Their key is a
personal speaker link (``/speaker/<token>``), made the way a participant's
manage link is (``events.access``): an HMAC under the site's secret of a
random per-person nonce, so the token can be written into every e-mail again
when it is sent, yet only its SHA-256 is stored (for look-up). It has a
purpose of its own, ``speaker``, and its own table, so a participant's manage
token never opens a speaker page and a speaker token never opens ``/me``.
Revoking draws a new nonce; every earlier link stops working.

A speaker's join link is an HMAC of the role's id, like a participant's: it
can sit in calendars for good, opens the room only around the event (from
``limits.SPEAKER_JOIN_OPENS_BEFORE``), and only while the invitation stands
accepted at an event that is on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits, outbox, signed_links
from events.access import room_open_at
from events.calendar import RolePart
from events.errors import NotFound, NotOpen
from events.models import (
    Base,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Person,
    Role,
    new_manage_nonce,
    utcnow,
)
from events.people import clean_email
from events.site import Site

SPEAKER_PURPOSE = "speaker"
JOIN_PURPOSE = "speaker-join"
# The e-mail that carries a speaker's link alone (asked for, or after revoking).
LINK_MESSAGE = "speaker_link"
NOTHING_HERE = "There is nothing at this address."


class SpeakerLink(Base):
    """A person's speaker link: the nonce it is derived from, and its hash once issued."""

    __tablename__ = "speaker_links"
    __table_args__ = (
        Index("uq_speaker_links_token_hash", "token_hash", unique=True,
              sqlite_where=text("token_hash IS NOT NULL"),
              postgresql_where=text("token_hash IS NOT NULL")),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), default=new_manage_nonce)
    token_hash: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship()


def link_for(session: Session, person: Person) -> SpeakerLink:
    """The person's speaker link, made (not issued yet) if they have none: a write."""
    link = session.get(SpeakerLink, person.id)
    if link is None:
        link = SpeakerLink(person=person, person_id=person.id)
        session.add(link)
        session.flush()
    return link


def speaker_token(site: Site, link: SpeakerLink) -> str:
    """The person's current speaker token (reads only; see ``issue_speaker_token``)."""
    return signed_links.mac(site.secret_key, SPEAKER_PURPOSE, link.person_id, link.nonce,
                            length=32)


def speaker_url(site: Site, link: SpeakerLink) -> str:
    """The absolute address of the person's speaker page (reads only)."""
    return site.links.speaker_page(speaker_token(site, link))


def issue_speaker_token(session: Session, site: Site, link: SpeakerLink) -> str:
    """Make the current speaker token open the page, and return it: a write, done before
    any e-mail carrying it is sent. Deterministic, so two senders write the same hash."""
    token = speaker_token(site, link)
    digest = signed_links.digest(token)
    if link.token_hash != digest:
        link.token_hash = digest
        session.flush()
    return token


def person_for_speaker_token(session: Session, token: str) -> Person:
    """The person a speaker token opens, or ``NotFound`` for a wrong or revoked one."""
    if not token or len(token) > 100:
        raise NotFound(NOTHING_HERE)
    link = session.execute(
        select(SpeakerLink).where(SpeakerLink.token_hash == signed_links.digest(token))
    ).scalar_one_or_none()
    if link is None:
        raise NotFound(NOTHING_HERE)
    return link.person


def revoke_speaker_links(session: Session, person: Person) -> None:
    """Make every speaker link of the person stop working; a new one follows by e-mail."""
    link = link_for(session, person)
    link.nonce = new_manage_nonce()
    link.token_hash = None
    session.flush()
    outbox.enqueue_to_person(session, LINK_MESSAGE, person, reason="revoked")


def send_lost_speaker_link(session: Session, email: object, now: datetime | None = None) -> None:
    """Queue the speaker link to ``email`` if someone invited has it; otherwise nothing.

    The caller answers the same either way, so the form reveals nobody. Asking
    again within ``limits.LOST_LINK_QUIET`` queues nothing more.
    """
    now = now or utcnow()
    address = clean_email(email)
    person = session.execute(select(Person).where(Person.email == address)).scalar_one_or_none()
    if person is None or session.get(SpeakerLink, person.id) is None:
        return
    recent = session.execute(
        select(OutboxMessage.id).where(OutboxMessage.kind == LINK_MESSAGE,
                                       OutboxMessage.person_id == person.id,
                                       OutboxMessage.created_at > now - limits.LOST_LINK_QUIET)
        .limit(1)
    ).scalar_one_or_none()
    if recent is None:
        outbox.enqueue_to_person(session, LINK_MESSAGE, person, reason="asked")


def has_join_link(role: Role) -> bool:
    """Who on the speaker side gets a join link: an accepted invitation to an event that is on.

    A declined or withdrawn invitation, or a cancelled event, shows none anywhere.
    """
    return role.status == InvitationStatus.accepted and role.event.status == EventStatus.published


def join_token(site: Site, role: Role) -> str:
    """The role's personal join token (an HMAC after its id, with a purpose of its own)."""
    return f"{role.id}-{signed_links.mac(site.secret_key, JOIN_PURPOSE, role.id)}"


def join_url(site: Site, role: Role) -> str | None:
    """The speaker's absolute join link, or ``None`` while they have none (``has_join_link``)."""
    return site.links.speaker_join(join_token(site, role)) if has_join_link(role) else None


def role_for_join_token(session: Session, site: Site, token: str) -> Role:
    """The role a speaker join token belongs to, or ``NotFound``."""
    parts = signed_links.split_token(token)
    role = session.get(Role, parts[0]) if parts else None
    if (parts is None or role is None or not signed_links.same_mac(
            parts[1], signed_links.mac(site.secret_key, JOIN_PURPOSE, role.id))):
        raise NotFound("This join link is not valid.")
    return role


def meeting_room_for(role: Role, now: datetime | None = None) -> str:
    """The meeting URL the speaker may enter at ``now``, or a refusal saying why not."""
    if not has_join_link(role):
        raise NotOpen(_why_no_join_link(role))
    return room_open_at(role.event, now or utcnow(), limits.SPEAKER_JOIN_OPENS_BEFORE)


def _why_no_join_link(role: Role) -> str:
    if role.event.status == EventStatus.cancelled:
        return "This event has been cancelled."
    if role.status == InvitationStatus.withdrawn:
        return "The organisers withdrew this invitation."
    if role.status == InvitationStatus.declined:
        return "You declined this invitation."
    if role.status == InvitationStatus.invited:
        return "Accept the invitation first; your join link comes with it."
    if role.event.status == EventStatus.draft:
        return "The event is not published yet."
    return "This event is over."


def role_part(session: Session, site: Site, role: Role) -> RolePart:
    """What a speaker's invitation or feed entry carries: their join link and page."""
    link = session.get(SpeakerLink, role.person_id)
    return RolePart(role, join_url(site, role),
                    speaker_url(site, link) if link is not None else None)
