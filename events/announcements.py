"""Organisers' messages to the people of an event: everyone with a seat, those who
came or did not, the waitlist.

One outbox row per person, written in the same transaction as the
announcement, so it goes to all or to none; the outbox's own status tells
how far the sending has got. A ``draft`` checks a message and counts its
recipients without writing anything, for the preview and for the page that
asks before a message goes to more than a handful of people; ``send_test``
sends one copy to the organiser alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Select, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits, outbox
from events.accounts import Account
from events.errors import InvalidInput, NotOpen
from events.models import (
    SEAT_HOLDING,
    Base,
    Event,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    UTCDateTime,
    utcnow,
)

AUDIENCES: dict[str, tuple[RegistrationStatus, ...]] = {
    # A seat is still held once attendance is marked, either way.
    "confirmed": SEAT_HOLDING,
    "attended": (RegistrationStatus.attended,),
    # Held a seat and were not marked as attended: no-shows and the unmarked.
    "absent": (RegistrationStatus.no_show, RegistrationStatus.confirmed),
    "waitlisted": (RegistrationStatus.waitlisted,),
    "everyone": (*SEAT_HOLDING, RegistrationStatus.waitlisted),
}
AUDIENCE_LABELS = {
    "confirmed": "Everyone with a seat",
    "attended": "Everyone who attended",
    "absent": "Everyone registered who did not attend",
    "waitlisted": "Everyone on the waitlist",
    "everyone": "Everyone with a seat or on the waitlist",
}
# Who came is known only once attendance has been taken.
NEEDS_ATTENDANCE = ("attended", "absent")


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


@dataclass(frozen=True)
class Draft:
    """A checked message, not sent: who would get it and how many they are."""

    event: Event
    audience: str
    subject: str
    body: str
    greeting: bool
    recipients: int
    # One of the recipients, to preview the message as they will see it.
    sample: Registration

    @property
    def audience_label(self) -> str:
        return AUDIENCE_LABELS[self.audience]

    @property
    def asks_first(self) -> bool:
        """Whether the message goes to more than a handful, and so is confirmed first."""
        return self.recipients > limits.MESSAGE_CONFIRM_ABOVE


def _recipients(event: Event, audience: str) -> Select[tuple[Registration]]:
    return select(Registration).where(Registration.event_id == event.id,
                                      Registration.status.in_(AUDIENCES[audience]))


def draft(session: Session, event: Event, audience: str, subject: object, body: object,
          greeting: bool = True, now: datetime | None = None) -> Draft:
    """Check a message and count who would get it; nothing is written."""
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
    if audience in NEEDS_ATTENDANCE:
        _check_attendance_taken(session, event, now or utcnow())
    recipients = _recipients(event, audience)
    count = session.execute(
        select(func.count()).select_from(recipients.subquery())).scalar_one()
    sample = session.execute(recipients.order_by(Registration.id).limit(1)).scalar_one_or_none()
    if sample is None:
        raise NotOpen("Nobody is in that group yet, so there is no one to message.")
    return Draft(event, audience, clean_subject, clean_body, greeting, count, sample)


def _check_attendance_taken(session: Session, event: Event, now: datetime) -> None:
    if not event.records_attendance(now):
        raise NotOpen("The event has not started, so nobody has attended it or missed it yet.")
    marked = session.execute(
        select(func.count()).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.attended)
    ).scalar_one()
    if not marked:
        # Otherwise "did not attend" would mean everyone with a seat.
        raise NotOpen("Attendance has not been taken for this event, so who came is not "
                      "known. Mark attendance on the roster first.")


def announce(session: Session, event: Event, audience: str, subject: object, body: object,
             sent_by: Account | None = None, greeting: bool = True) -> Announcement:
    """Queue the message to every person in ``audience`` and record it."""
    message = draft(session, event, audience, subject, body, greeting)
    recipients = list(session.execute(
        _recipients(event, audience).order_by(Registration.id)).scalars())
    announcement = Announcement(event=event, audience=audience, subject=message.subject,
                                body=message.body, recipients=len(recipients), sent_by=sent_by)
    session.add(announcement)
    session.flush()
    for registration in recipients:
        outbox.enqueue(session, "announcement", registration, announcement_id=announcement.id,
                       subject=message.subject, body=message.body, greeting=greeting)
    return announcement


def send_test(session: Session, message: Draft, to: Account) -> OutboxMessage:
    """Send one copy of ``message`` to the organiser alone, marked as a test; nothing is
    recorded as sent to participants."""
    return outbox.enqueue_to(session, "announcement", to.email, to.name,
                             event_id=message.event.id, subject=message.subject,
                             body=message.body, greeting=message.greeting, test=True)


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
