"""The programme's data: programmes, series, events, people and their places.

Plain SQLAlchemy 2.0 declarative models. The web adapter hands ``Base`` to
Flask-SQLAlchemy; nothing here knows about Flask.
"""

from __future__ import annotations

import enum
import re
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
    exists,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events import allowed_domains, limits

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


# What the public may see: once published, an event stays in view when it is
# over or cancelled (feeds keep cancelled ones, so calendars drop them).
PUBLIC_STATUSES = (EventStatus.published, EventStatus.completed, EventStatus.cancelled)


class RoleKind(enum.StrEnum):
    guest = "guest"
    facilitator = "facilitator"
    presenter = "presenter"
    assistant = "assistant"


class InvitationStatus(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    # Taken back by an organiser.
    withdrawn = "withdrawn"


# The invitations that hold a person's time: not answered yet, or accepted.
ENGAGED = (InvitationStatus.invited, InvitationStatus.accepted)


class Answerer(enum.StrEnum):
    """Who gave an invitation's answer: the person invited, or an organiser for them."""

    speaker = "speaker"
    organiser = "organiser"


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
    # Where replies and calendar answers go (the ORGANIZER of invitations); the
    # site's sender address when empty.
    contact_email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX), default="")
    # Minutes before the start at which reminders go out.
    reminder_offsets: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(limits.DEFAULT_REMINDER_OFFSETS))
    # Who may take part when it is not everyone: e-mail domains such as
    # "*.ac.nz, library.govt.nz" (``events.allowed_domains``), named for people
    # ("library staff"); they always apply to the ideas board, and to RSVPs too
    # when ``allowed_domains_for_rsvps`` is on.
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    allowed_domains_label: Mapped[str] = mapped_column(
        String(limits.ALLOWED_DOMAINS_LABEL_MAX), default="")
    allowed_domains_for_rsvps: Mapped[bool] = mapped_column(default=False)
    # How many people the programme's meeting platform lets into one meeting, if
    # known: an event with more seats is warned about before it is published.
    platform_participant_limit: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the organisers publish the programme's page and feed (``listings``).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[list[Series]] = relationship(back_populates="programme")
    events: Mapped[list[Event]] = relationship(back_populates="programme")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @hybrid_property
    def is_published(self) -> bool:
        """Whether the programme's page and feed are public."""
        return self.published_at is not None

    @is_published.inplace.expression
    @classmethod
    def _is_published_expression(cls) -> ColumnElement[bool]:
        return cls.published_at.is_not(None)


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(String(limits.TITLE_MAX))
    theme: Mapped[str] = mapped_column(String(limits.THEME_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    target_attendance: Mapped[int | None] = mapped_column(Integer)
    # Set when the organisers publish the series' page and feed (``listings``).
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship(back_populates="series")
    events: Mapped[list[Event]] = relationship(back_populates="series")

    @hybrid_property
    def is_listed(self) -> bool:
        """Whether the series may be shown: published, in a published programme.

        Its page and feed are public once it also has a public event
        (``listings.public_series``); a page that links it from one of its
        public events has that already.
        """
        return self.published_at is not None and self.programme.published_at is not None

    @is_listed.inplace.expression
    @classmethod
    def _is_listed_expression(cls) -> ColumnElement[bool]:
        return and_(cls.published_at.is_not(None),
                    select(Programme.id).where(Programme.id == cls.programme_id,
                                               Programme.is_published).exists())

    @property
    def slug(self) -> str:
        """The title as a readable piece of the series' address (any other is accepted too)."""
        words = re.findall(r"[a-z0-9]+", self.title.lower())
        return "-".join(words)[:limits.SLUG_MAX].strip("-") or "series"


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
    # Before this moment only people with early access may register (those who
    # asked for the event on the ideas board: ``events.early_access``).
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    # Speakers are asked to consent to the recording when they accept.
    recorded: Mapped[bool] = mapped_column(default=False)
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
    def target(self) -> int | None:
        """The organisers' measure of success: the event's own target, else its series'
        when its kind takes the series' (``limits.SERIES_TARGET_KINDS``)."""
        if self.target_attendance is not None:
            return self.target_attendance
        if self.series is None or self.kind.value not in limits.SERIES_TARGET_KINDS:
            return None
        return self.series.target_attendance

    @hybrid_property
    def is_large_group(self) -> bool:
        """Whether the event is for more people than one room of talk holds
        (``limits.LARGE_GROUP``): it needs the guidance for large online groups."""
        return self.capacity > limits.LARGE_GROUP

    @property
    def exceeds_platform_limit(self) -> bool:
        """Whether it has more seats than the programme's meeting platform lets in."""
        limit = self.programme.platform_participant_limit
        return limit is not None and self.capacity > limit

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

    # Who may register where not everyone may: ``early_access`` (the people who
    # asked for the event on the ideas board, before ``announced_at``) and
    # ``allowed_address`` (an address the programme's RSVP allow-list admits).
    # Left False, a rule answers for anyone at all: the prepared RSVP asks so,
    # and leaves whoever needs more to the locked path, which asks for the person
    # (``events.admission``). Pages ask for someone: both True.

    @hybrid_method
    def takes_registrations(self, now: datetime, early_access: bool = False,
                            allowed_address: bool = False) -> bool:
        """Whether the event takes new registrations, and returns, at ``now``.

        Published, not started yet, before its own registration deadline if the
        organisers set one, announced to everyone (or the person has early
        access), and not limited to its programme's allow-list (or the person's
        address is on it).
        """
        return (self.status == EventStatus.published and self.starts_at > now
                and (self.registration_closes_at is None or self.registration_closes_at > now)
                and (early_access or self.is_announced(now))
                and (allowed_address or not self.checks_addresses))

    @takes_registrations.inplace.expression
    @classmethod
    def _takes_registrations_expression(cls, now: Any, early_access: bool = False,
                                        allowed_address: bool = False) -> ColumnElement[bool]:
        rule = [cls.status == EventStatus.published, cls.starts_at > now,
                or_(cls.registration_closes_at.is_(None), cls.registration_closes_at > now)]
        if not early_access:
            rule.append(cls.is_announced(now))
        if not allowed_address:
            rule.append(~cls.checks_addresses)
        return and_(*rule)

    @hybrid_method
    def is_announced(self, now: datetime) -> bool:
        """Whether everyone may register at ``now``, not only people with early access."""
        return self.announced_at is None or self.announced_at <= now

    @is_announced.inplace.expression
    @classmethod
    def _is_announced_expression(cls, now: Any) -> ColumnElement[bool]:
        return or_(cls.announced_at.is_(None), cls.announced_at <= now)

    @hybrid_property
    def checks_addresses(self) -> bool:
        """Whether its programme takes RSVPs only from addresses on its allow-list."""
        return bool(self.programme.allowed_domains_for_rsvps)

    @checks_addresses.inplace.expression
    @classmethod
    def _checks_addresses_expression(cls) -> ColumnElement[bool]:
        return exists().where(Programme.id == cls.programme_id,
                              Programme.allowed_domains_for_rsvps.is_(True))

    @hybrid_property
    def has_free_seat(self) -> bool:
        """Whether a seat is free (the capacity may have been lowered below the seats taken)."""
        return self.seats_taken < self.capacity

    @hybrid_method
    def offers_seat(self, now: datetime, early_access: bool = False,
                    allowed_address: bool = False) -> bool:
        """Whether an RSVP at ``now`` would get a seat."""
        return bool(self.takes_registrations(now, early_access, allowed_address)
                    and self.has_free_seat)

    @offers_seat.inplace.expression
    @classmethod
    def _offers_seat_expression(cls, now: Any, early_access: bool = False,
                                allowed_address: bool = False) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now, early_access, allowed_address),
                    cls.has_free_seat)

    @hybrid_method
    def offers_waitlist(self, now: datetime, early_access: bool = False,
                        allowed_address: bool = False) -> bool:
        """Whether an RSVP at ``now`` would join the waitlist: open, full, and keeping one."""
        return bool(self.takes_registrations(now, early_access, allowed_address)
                    and not self.has_free_seat and self.waitlist_enabled)

    @offers_waitlist.inplace.expression
    @classmethod
    def _offers_waitlist_expression(cls, now: Any, early_access: bool = False,
                                    allowed_address: bool = False) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now, early_access, allowed_address),
                    ~cls.has_free_seat, cls.waitlist_enabled.is_(True))

    @hybrid_method
    def offers_place(self, now: datetime) -> bool:
        """Whether an RSVP at ``now`` would be taken: a seat, or the waitlist."""
        return bool(self.offers_seat(now) or self.offers_waitlist(now))

    @offers_place.inplace.expression
    @classmethod
    def _offers_place_expression(cls, now: Any) -> ColumnElement[bool]:
        return or_(cls.offers_seat(now), cls.offers_waitlist(now))

    @hybrid_method
    def promotes_from_waitlist(self, now: datetime) -> bool:
        """Whether a freed seat still goes to the head of the waitlist at ``now``.

        Only while registration is open (to someone: people waiting were let in)
        and the waitlist has not been closed: after that, people waiting were
        told there is no seat for them.
        """
        return bool(self.takes_registrations(now, True, True) and self.waitlist_closed_at is None)

    @promotes_from_waitlist.inplace.expression
    @classmethod
    def _promotes_from_waitlist_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.takes_registrations(now, True, True), cls.waitlist_closed_at.is_(None))

    @hybrid_method
    def waitlist_due_to_close(self, now: datetime) -> bool:
        """Whether people still waiting must now be told no seat will come free."""
        return bool(self.status == EventStatus.published and self.waitlist_closed_at is None
                    and not self.takes_registrations(now, True, True))

    @waitlist_due_to_close.inplace.expression
    @classmethod
    def _waitlist_due_to_close_expression(cls, now: Any) -> ColumnElement[bool]:
        return and_(cls.status == EventStatus.published, cls.waitlist_closed_at.is_(None),
                    ~cls.takes_registrations(now, True, True))

    @hybrid_property
    def is_public(self) -> bool:
        """Whether the public may see the event (``PUBLIC_STATUSES``)."""
        return self.status in PUBLIC_STATUSES

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(PUBLIC_STATUSES)

    @hybrid_method
    def has_started(self, now: datetime) -> bool:
        """Whether the event has begun at ``now`` (places can no longer be given up)."""
        return self.starts_at <= now

    @hybrid_method
    def records_attendance(self, now: datetime) -> bool:
        """Whether attendance (attended, no-show) may be marked at ``now``: only once the
        event has begun, so nobody is marked as having come to what has not happened."""
        return self.starts_at <= now

    def has_ended(self, now: datetime) -> bool:
        """Whether the event is over at ``now``."""
        return self.ends_at <= now

    def closed_reason(self, now: datetime, early_access: bool = False,
                      allowed_address: bool = False) -> str | None:
        """Why the event takes no registrations at ``now`` (from a person with the given
        early access and address), in words; ``None`` if it does."""
        if self.takes_registrations(now, early_access, allowed_address):
            return None
        if self.status == EventStatus.cancelled:
            return "This event has been cancelled."
        if self.has_ended(now):
            return "This event has ended."
        if self.status != EventStatus.published:
            return "This event is not open for registration."
        if self.has_started(now):
            return "This event has already started."
        if not self.takes_registrations(now, True, True):
            return "Registration for this event has closed."
        if not (early_access or self.is_announced(now)):
            opens = self.announced_at.astimezone(self.zone)  # type: ignore[union-attr]
            return (f"Until {opens:%A %-d %B, %H:%M} {opens.tzname()}, only the people who "
                    "proposed, voted for or offered help on the idea behind this event may "
                    "RSVP. Everyone else may from then.")
        return allowed_domains.refusal(self.programme, "RSVPs are")

    def people_in(self, *kinds: RoleKind) -> list[Role]:
        """The people of these kinds the public may see (``Role.shown_publicly``)."""
        return [role for role in self.roles if role.kind in kinds and role.shown_publicly]


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
    # The person's own IANA zone, when they or an organiser said it; times are
    # then shown to them in it beside the programme's.
    timezone: Mapped[str | None] = mapped_column(String(limits.TIMEZONE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the person asked to be forgotten (or was, after a long silence):
    # the row stays so that counts and reports stay true (events.forgetting).
    forgotten_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Role(Base):
    """A person's part in an event, and the invitation to take it.

    Its status changes only through ``events.invitations.move``.
    """

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("event_id", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    status: Mapped[InvitationStatus] = mapped_column(
        _enum(InvitationStatus, "invitation_status"), default=InvitationStatus.invited
    )
    # The organiser's personal words in the invitation e-mail.
    message: Mapped[str] = mapped_column(Text, default="")
    # When the invitation was (last) sent: unanswered reminders count from here.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[Answerer | None] = mapped_column(_enum(Answerer, "answerer"))
    # The speaker's note with their answer, for the organisers.
    note: Mapped[str] = mapped_column(Text, default="")
    # What the speaker agreed to show on the public event page.
    display_name: Mapped[str] = mapped_column(String(limits.PERSON_NAME_MAX), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    listed_publicly: Mapped[bool] = mapped_column(default=True)
    # Asked only for recorded events; None until asked.
    recording_consent: Mapped[bool | None] = mapped_column()
    # The invitation's own changes for its SEQUENCE (``calendar.invitation_sequence``).
    sequence: Mapped[int] = mapped_column(default=0)
    # The role whose invitation this one follows: a discussion group's facilitator is
    # invited once for the group, at its first meeting, and the later meetings'
    # roles move with that one, without e-mails of their own (``invitations.move``).
    # No foreign key: SQLite cannot add one in place to a table others refer to.
    lead_role_id: Mapped[int | None] = mapped_column(Integer, index=True)

    event: Mapped[Event] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship(lazy="joined")
    followers: Mapped[list[Role]] = relationship(
        primaryjoin="foreign(Role.lead_role_id) == Role.id", order_by="Role.id",
        viewonly=True)

    @hybrid_property
    def engaged(self) -> bool:
        """Whether the invitation holds the person's time (``ENGAGED``): double-booking
        warnings count it."""
        return self.status in ENGAGED

    @engaged.inplace.expression
    @classmethod
    def _engaged_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(ENGAGED)

    @hybrid_property
    def shown_publicly(self) -> bool:
        """Whether the event page names this person: accepted, and agreed to be listed."""
        return self.status == InvitationStatus.accepted and self.listed_publicly

    @shown_publicly.inplace.expression
    @classmethod
    def _shown_publicly_expression(cls) -> ColumnElement[bool]:
        return and_(cls.status == InvitationStatus.accepted, cls.listed_publicly.is_(True))

    @property
    def public_name(self) -> str:
        """The name as the person asked to be shown (else as the organisers typed it)."""
        return self.display_name or self.person.name

    @property
    def answers_showcase_prompts(self) -> bool:
        """Whether this person writes the showcase's three prompts: its presenter or guest."""
        return (self.event.kind == EventKind.showcase
                and self.kind in (RoleKind.presenter, RoleKind.guest))

    @property
    def accepted_on_behalf(self) -> bool:
        return (self.status == InvitationStatus.accepted
                and self.answered_by == Answerer.organiser)


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
