"""The programme's data: programmes, series, events, people and their places.

Plain SQLAlchemy 2.0 declarative models. The web adapter hands ``Base`` to
Flask-SQLAlchemy; nothing here knows about Flask.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    and_,
    or_,
    text,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events import limits

# Alembic needs deterministic constraint names to alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_manage_nonce() -> str:
    """A fresh random nonce (256 bits) behind a person's manage link."""
    return secrets.token_urlsafe(32)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    SQLite has no time zones and hands back naive values; PostgreSQL would
    convert to the session's zone. Storing naive UTC everywhere and tagging it
    on the way out gives the same aware value from both.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class EventKind(enum.StrEnum):
    conversation = "conversation"
    webinar = "webinar"
    showcase = "showcase"
    group_meeting = "group_meeting"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def default_duration(self) -> int:
        """Minutes an event of this kind lasts unless the organisers say otherwise."""
        return limits.DEFAULT_DURATION[self.value]


KIND_LABELS = {
    EventKind.conversation: "Conversation",
    EventKind.webinar: "Webinar",
    EventKind.showcase: "Unit showcase",
    EventKind.group_meeting: "Group meeting",
}


class EventStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    completed = "completed"
    cancelled = "cancelled"


class RoleKind(enum.StrEnum):
    guest = "guest"
    facilitator = "facilitator"
    presenter = "presenter"
    assistant = "assistant"


class InvitationStatus(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"


# The statuses that hold one of the event's seats (counted in ``Event.seats_taken``),
# in the order the roster lists them.
SEAT_HOLDING = (RegistrationStatus.confirmed, RegistrationStatus.attended,
                RegistrationStatus.no_show)


class OutboxStatus(enum.StrEnum):
    queued = "queued"
    sent = "sent"
    failed = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native ENUM type) so adding a value later is
    # a code change, not a PostgreSQL type migration.
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda members: [m.value for m in members])


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(limits.SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(limits.PROGRAMME_NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(limits.TIMEZONE_MAX),
                                          default=limits.DEFAULT_TIMEZONE)
    after_hours_start: Mapped[time] = mapped_column(Time,
                                                    default=limits.DEFAULT_AFTER_HOURS_START)
    after_hours_end: Mapped[time] = mapped_column(Time, default=limits.DEFAULT_AFTER_HOURS_END)
    weekends_open: Mapped[bool] = mapped_column(default=limits.DEFAULT_WEEKENDS_OPEN)
    sender_name: Mapped[str] = mapped_column(String(limits.SENDER_NAME_MAX), default="")
    # Minutes before the start at which reminders go out.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(limits.DEFAULT_REMINDER_OFFSETS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    series: Mapped[list[Series]] = relationship(back_populates="programme")
    events: Mapped[list[Event]] = relationship(back_populates="programme")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(limits.TITLE_MAX))
    theme: Mapped[str] = mapped_column(String(limits.THEME_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    target_attendance: Mapped[int | None] = mapped_column(Integer)

    programme: Mapped[Programme] = relationship(back_populates="series")
    events: Mapped[list[Event]] = relationship(back_populates="series")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    title: Mapped[str] = mapped_column(String(limits.TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(
        default=limits.DEFAULT_DURATION[EventKind.conversation])
    # The zone the event was planned in; times are shown in it.
    timezone: Mapped[str] = mapped_column(String(limits.TIMEZONE_MAX))
    capacity: Mapped[int] = mapped_column(default=limits.DEFAULT_CAPACITY)
    # Guarded counter of the places holding a seat (``SEAT_HOLDING``): only ever
    # changed by a guarded UPDATE, in ``registrations.move`` or the prepared RSVP.
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    # How many wait now, and the last queue number given out: moved together with
    # the waitlist's statuses, by the same guarded UPDATEs as ``seats_taken``.
    # A newcomer's position is the length after their arrival; no queue is counted.
    waitlist_length: Mapped[int] = mapped_column(default=0)
    last_queue_number: Mapped[int] = mapped_column(default=0)
    # Private: reached only through personal join links.
    meeting_url: Mapped[str] = mapped_column(String(limits.MEETING_URL_MAX), default="")
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "event_status"), default=EventStatus.draft
    )
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once, when the event started or registration closed with people still
    # waiting: they were told then, and nobody is promoted afterwards.
    waitlist_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # RFC 5545 §3.8.7.4: bumped on every change of time, title or status.
    sequence: Mapped[int] = mapped_column(default=0)
    target_attendance: Mapped[int | None] = mapped_column(Integer)
    # Showcase: the unit and its three prompts.
    unit_name: Mapped[str] = mapped_column(String(limits.UNIT_NAME_MAX), default="")
    prompt_work: Mapped[str] = mapped_column(Text, default="")
    prompt_challenges: Mapped[str] = mapped_column(Text, default="")
    prompt_direction: Mapped[str] = mapped_column(Text, default="")
    # Webinar of a book discussion: the book.
    book_title: Mapped[str] = mapped_column(String(limits.BOOK_TITLE_MAX), default="")
    # Shown on public pages, in public feeds and the API. A discussion group's weekly
    # meetings are not: they belong to the group's members alone.
    listed: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="events")
    series: Mapped[Series | None] = relationship(back_populates="events")
    roles: Mapped[list[Role]] = relationship(
        back_populates="event", order_by="Role.id", cascade="all, delete-orphan"
    )
    registrations: Mapped[list[Registration]] = relationship(back_populates="event")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    # The rules of taking part, each written once. They work on a loaded event
    # (``event.offers_seat(now)``) and in SQL (``Event.offers_seat(now)`` in a
    # WHERE clause), so the RSVP's guarded UPDATEs, the locked paths, the
    # pages and the templates cannot disagree. ``now`` is an aware datetime,
    # or in SQL any expression of one (the prepared RSVP binds a parameter).

    @hybrid_method
    def takes_registrations(self, now: datetime) -> bool:
        """Whether the event takes new registrations, and returns, at ``now``.

        Published, not started yet, and before its own registration deadline
        if the organisers set one.
        """
        return (self.status == EventStatus.published and self.starts_at > now
                and (self.registration_closes_at is None or self.registration_closes_at > now))

    @takes_registrations.inplace.expression
    @classmethod
    def _takes_registrations_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.status == EventStatus.published, cls.starts_at > now,
                    or_(cls.registration_closes_at.is_(None), cls.registration_closes_at > now))

    @hybrid_property
    def has_free_seat(self) -> bool:
        """Whether a seat is free (the capacity may have been lowered below the seats taken)."""
        return self.seats_taken < self.capacity

    @hybrid_method
    def offers_seat(self, now: datetime) -> bool:
        """Whether an RSVP at ``now`` would get a seat."""
        return bool(self.takes_registrations(now) and self.has_free_seat)

    @offers_seat.inplace.expression
    @classmethod
    def _offers_seat_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now), cls.has_free_seat)

    @hybrid_method
    def offers_waitlist(self, now: datetime) -> bool:
        """Whether an RSVP at ``now`` would join the waitlist: open, full, and keeping one."""
        return bool(self.takes_registrations(now) and not self.has_free_seat
                    and self.waitlist_enabled)

    @offers_waitlist.inplace.expression
    @classmethod
    def _offers_waitlist_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now), ~cls.has_free_seat,
                    cls.waitlist_enabled.is_(True))

    @hybrid_method
    def promotes_from_waitlist(self, now: datetime) -> bool:
        """Whether a freed seat still goes to the head of the waitlist at ``now``.

        Only while registration is open and the waitlist has not been closed:
        after that, people waiting were told there is no seat for them.
        """
        return bool(self.takes_registrations(now) and self.waitlist_closed_at is None)

    @promotes_from_waitlist.inplace.expression
    @classmethod
    def _promotes_from_waitlist_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now), cls.waitlist_closed_at.is_(None))

    @hybrid_method
    def waitlist_due_to_close(self, now: datetime) -> bool:
        """Whether people still waiting must now be told no seat will come free."""
        return bool(self.status == EventStatus.published and self.waitlist_closed_at is None
                    and not self.takes_registrations(now))

    @waitlist_due_to_close.inplace.expression
    @classmethod
    def _waitlist_due_to_close_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.status == EventStatus.published, cls.waitlist_closed_at.is_(None),
                    ~cls.takes_registrations(now))

    @hybrid_method
    def has_started(self, now: datetime) -> bool:
        """Whether the event has begun at ``now`` (places can no longer be given up)."""
        return self.starts_at <= now

    def closed_reason(self, now: datetime) -> str | None:
        """Why the event takes no registrations at ``now``, in words; ``None`` if it does."""
        if self.takes_registrations(now):
            return None
        if self.status == EventStatus.cancelled:
            return "This event has been cancelled."
        if self.status != EventStatus.published:
            return "This event is not open for registration."
        if self.has_started(now):
            return "This event has already started."
        return "Registration for this event has closed."

    def people_in(self, *kinds: RoleKind) -> list[Role]:
        return [role for role in self.roles if role.kind in kinds
                and role.status != InvitationStatus.declined]


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        # Partial: most people never had a link issued, and a NULL kept out of
        # the index is one page fewer for every new person's INSERT to write.
        Index("uq_people_manage_token_hash", "manage_token_hash", unique=True,
              sqlite_where=text("manage_token_hash IS NOT NULL"),
              postgresql_where=text("manage_token_hash IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: the e-mail is a participant's only key.
    email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME_MAX))
    # The manage link's token is derived, never stored: an HMAC of this random
    # nonce under the site's secret key (events.access). Only the token's
    # SHA-256 is kept, for lookup; a new nonce revokes every old link.
    manage_nonce: Mapped[str] = mapped_column(String(64), default=new_manage_nonce)
    manage_token_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Role(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("event_id", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    status: Mapped[InvitationStatus] = mapped_column(
        _enum(InvitationStatus, "invitation_status"), default=InvitationStatus.invited
    )
    # What the speaker should know before the event.
    briefing: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship(lazy="joined")


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        # Person first: it also serves "this person's registrations", so no
        # separate index on person_id has to be written on every RSVP; the
        # index below serves everything by event.
        UniqueConstraint("person_id", "event_id"),
        # The waitlist in queue order; a position is the count of numbers before it.
        Index("ix_registrations_event_status_queue", "event_id", "status", "queue_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[RegistrationStatus] = mapped_column(
        _enum(RegistrationStatus, "registration_status")
    )
    # When the person took their place or joined the waitlist.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Order on the waitlist: the event's next number, given under its lock (or
    # its guarded UPDATE), so numbers never tie and only grow; positions are
    # ranks by it, so they cannot have gaps or duplicates.
    queue_number: Mapped[int | None] = mapped_column(Integer)
    # Per-registration SEQUENCE for its invitation: RFC 5546 needs it to grow
    # with each REQUEST/CANCEL of the same UID.
    sequence: Mapped[int] = mapped_column(default=0)
    # When the person last took a seat: reminders due before then are skipped,
    # since the confirmation itself was the news.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # First click on the personal join link: a sign of attendance.
    first_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="registrations")
    person: Mapped[Person] = relationship(lazy="joined")

    @hybrid_property
    def holds_seat(self) -> bool:
        """Whether this place takes up one of the event's seats (``SEAT_HOLDING``)."""
        return self.status in SEAT_HOLDING

    @holds_seat.inplace.expression
    @classmethod
    def _holds_seat_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(SEAT_HOLDING)


class OutboxMessage(Base):
    """An e-mail waiting to be sent, written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What to say: "confirmation", "waitlisted", ...; rendered when sent.
    kind: Mapped[str] = mapped_column(String(40))
    recipient_email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX))
    recipient_name: Mapped[str] = mapped_column(String(limits.PERSON_NAME_MAX), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    # Set for e-mails to a guest, facilitator or presenter about their role.
    role_id: Mapped[int | None] = mapped_column(ForeignKey("roles.id"))
    # Set for e-mails about the person rather than one place (a manage link).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Frozen facts of the moment it was written (METHOD, SEQUENCE, position...).
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.queued
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A claim by one drainer; another may take it over after this moment.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
    role: Mapped[Role | None] = relationship()
    person: Mapped[Person | None] = relationship()


class SentReminder(Base):
    """A reminder queued for one registration at one offset.

    The unique pair is what makes a reminder go out once: two workers racing
    to queue it both insert, and the database lets only one of them through.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("registration_id", "offset_minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    # False when a later reminder superseded this one before it was due to go.
    sent: Mapped[bool] = mapped_column(default=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
