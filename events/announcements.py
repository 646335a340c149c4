"""Organisers' messages to everyone confirmed (or waitlisted) for an event.

One outbox row per person, written in the same transaction as the
announcement, so it goes to all or to none; the outbox's own status tells
how far the sending has got.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits, outbox
from events.accounts import Account
from events.errors import InvalidInput, NotOpen
from events.models import (
    Base,
    Event,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    UTCDateTime,
    utcnow,
)

AUDIENCES = {
    "confirmed": (RegistrationStatus.confirmed,),
    "waitlisted": (RegistrationStatus.waitlisted,),
    "everyone": (RegistrationStatus.confirmed, RegistrationStatus.waitlisted),
}
AUDIENCE_LABELS = {
    "confirmed": "Everyone with a seat",
    "waitlisted": "Everyone on the waitlist",
    "everyone": "Everyone with a seat or on the waitlist",
}


class Announcement(Base):
    """A message an organiser sent to an event's participants."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    audience: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(limits.SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    sent_by: Mapped[Account | None] = relationship()


def announce(session: Session, event: Event, audience: str, subject: object, body: object,
             sent_by: Account | None = None) -> Announcement:
    """Queue the message to every person in ``audience`` and record it."""
    if audience not in AUDIENCES:
        raise InvalidInput("Choose who receives the message.", field="audience")
    clean_subject = " ".join(subject.split()) if isinstance(subject, str) else ""
    clean_body = body.strip() if isinstance(body, str) else ""
    if not clean_subject:
        raise InvalidInput("Please enter a subject.", field="subject")
    if len(clean_subject) > limits.SUBJECT_MAX:
        raise InvalidInput(f"The subject must be at most {limits.SUBJECT_MAX} characters.",
                           field="subject")
    if not clean_body:
        raise InvalidInput("Please write the message.", field="body")
    if len(clean_body) > limits.MESSAGE_MAX:
        raise InvalidInput(f"The message must be at most {limits.MESSAGE_MAX} characters.",
                           field="body")
    if event.status == EventStatus.draft:
        raise NotOpen("A draft event has no participants to message yet.")
    recipients = list(session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_(AUDIENCES[audience]))
        .order_by(Registration.id)
    ).scalars())
    if not recipients:
        raise NotOpen("Nobody is in that group yet, so there is no one to message.")
    announcement = Announcement(event=event, audience=audience, subject=clean_subject,
                                body=clean_body, recipients=len(recipients), sent_by=sent_by)
    session.add(announcement)
    session.flush()
    for registration in recipients:
        outbox.enqueue(session, "announcement", registration, announcement_id=announcement.id,
                       subject=clean_subject, body=clean_body)
    return announcement


def history(session: Session, event: Event) -> list[tuple[Announcement, dict[str, int]]]:
    """The event's announcements, newest first, each with queued / sent / failed counts."""
    announcements = list(session.execute(
        select(Announcement).where(Announcement.event_id == event.id)
        .order_by(Announcement.id.desc())
    ).scalars())
    tallies: dict[int, Counter[str]] = {item.id: Counter() for item in announcements}
    # The announcement id lives in the message's JSON context; the event's
    # announcement rows are few enough to sort out here on every database.
    for context, status in session.execute(
        select(OutboxMessage.context, OutboxMessage.status)
        .where(OutboxMessage.event_id == event.id, OutboxMessage.kind == "announcement")
    ):
        announcement_id = (context or {}).get("announcement_id")
        if announcement_id in tallies:
            tallies[announcement_id][status.value] += 1
    return [(item, {state: tallies[item.id][state] for state in ("queued", "sent", "failed")})
            for item in announcements]
