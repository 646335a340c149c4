"""Telling people about the ideas they care for: once, and never after they say stop.

The people of an idea are whoever proposed it, voted for it or offered to help
with it. They are told when its status changes and when it becomes an event,
one e-mail each (a proposer who also voted gets one), and never twice about the
same news: a notice row per (idea, person, news) is the database's record of
who was told what. Anyone can stop these e-mails with one click (a signed link,
also in each message's ``List-Unsubscribe`` header, RFC 8058).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Select, String, UniqueConstraint, select, union
from sqlalchemy.orm import Mapped, Session, mapped_column

from events import outbox, signed_links
from events.errors import NotFound
from events.help_offers import HelpOffer
from events.idea_boards import Idea
from events.models import Base, Event, Person, UTCDateTime, utcnow
from events.people import add_once
from events.site import Site
from events.votes import Vote

# What a notice is about besides a status: the idea became an event.
BECAME_EVENT = "event"


class IdeaNotice(Base):
    """That a person was told one piece of news about one idea."""

    __tablename__ = "idea_notices"
    __table_args__ = (UniqueConstraint("idea_id", "person_id", "about"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # A status the idea moved to, or ``BECAME_EVENT``.
    about: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaNewsOptOut(Base):
    """A person who asked for no more news of ideas."""

    __tablename__ = "idea_news_opt_outs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def people_of(idea_ids: Iterable[int] | Any) -> Select[tuple[int]]:
    """The ids of everyone who proposed, voted for or offered help on the ideas
    ``idea_ids`` (a list or a SELECT of ids), in SQL."""
    return union(
        select(Idea.proposer_id).where(Idea.id.in_(idea_ids)),
        select(Vote.person_id).where(Vote.idea_id.in_(idea_ids)),
        select(HelpOffer.person_id).where(HelpOffer.idea_id.in_(idea_ids)),
    )  # type: ignore[return-value]


def tell(session: Session, idea: Idea, about: str, now: datetime | None = None,
         event: Event | None = None) -> int:
    """Queue the news ``about`` the idea to each of its people not told it yet and not
    opted out; returns how many were told. ``event``: the event it became."""
    now = now or utcnow()
    concerned = people_of([idea.id]).subquery()
    told = select(IdeaNotice.person_id).where(IdeaNotice.idea_id == idea.id,
                                              IdeaNotice.about == about)
    people = session.execute(
        select(Person).where(Person.id.in_(select(concerned.c[0])), Person.id.not_in(told),
                             Person.id.not_in(select(IdeaNewsOptOut.person_id)))
        .order_by(Person.id)).scalars().all()
    board = idea.board
    programme = board.programme
    count = 0
    for person in people:
        if not add_once(session, IdeaNotice, idea_id=idea.id, person_id=person.id, about=about,
                        created_at=now):
            continue
        kind = "idea_event" if about == BECAME_EVENT else "idea_status"
        outbox.enqueue_to(
            session, kind, person.email, person.name,
            event_id=event.id if event is not None else None,
            idea_id=idea.id, idea_title=idea.title, slug=programme.slug,
            board_name=programme.name, sender_name=programme.sender_name or programme.name,
            status=idea.status.value, status_label=idea.status.label,
            reason=idea.status_reason, subscriber_id=person.id,
            proposed=idea.proposer_id == person.id)
        count += 1
    return count


def unsubscribe_token(site: Site, person_id: int) -> str:
    """The token of a person's one-click "no more idea news" link."""
    return f"{person_id}-{signed_links.mac(site.secret_key, 'idea-news', person_id)}"


def person_for_unsubscribe_token(session: Session, site: Site, token: str) -> Person:
    """The person an unsubscribe link belongs to, or ``NotFound``."""
    parts = signed_links.split_token(token)
    person = session.get(Person, parts[0]) if parts else None
    if (parts is None or person is None
            or not signed_links.same_mac(token, unsubscribe_token(site, person.id))):
        raise NotFound("This link is not valid.")
    return person


def stop_news(session: Session, person: Person, now: datetime | None = None) -> None:
    """No more news of ideas for this person (saying it twice changes nothing)."""
    add_once(session, IdeaNewsOptOut, person_id=person.id, created_at=now or utcnow())


def has_stopped(session: Session, person: Person) -> bool:
    """Whether the person asked for no more news of ideas."""
    return session.execute(select(IdeaNewsOptOut.id).where(
        IdeaNewsOptOut.person_id == person.id)).first() is not None
