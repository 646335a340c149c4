"""A book discussion's data: the book, its threads, meeting slots and reading plan
(the kick-off's resources of each week, ``events.resources``),
who signed up with what wishes, the draft grouping, the groups, their meetings and
who came to them.

A sign-up's place is its kick-off registration: confirmed, waitlisted or
cancelled there is confirmed, waitlisted or cancelled here, so the kick-off's
capacity, waitlist and e-mails serve the discussion unchanged.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events import limits
from events.models import (
    Base,
    Event,
    Person,
    Programme,
    Registration,
    UTCDateTime,
    _enum,
    utcnow,
)
from events.resources import Resource

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class BookDiscussion(Base):
    """A book, its kick-off event, a number of weeks, and the groups that meet in them."""

    __tablename__ = "book_discussions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    # The webinar that opens it; its capacity and waitlist are the discussion's.
    kickoff_event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    book_title: Mapped[str] = mapped_column(String(limits.BOOK_TITLE_MAX))
    book_author: Mapped[str] = mapped_column(String(limits.BOOK_AUTHOR_MAX), default="")
    book_isbn: Mapped[str] = mapped_column(String(limits.ISBN_MAX), default="")
    book_url: Mapped[str] = mapped_column(String(limits.MEETING_URL_MAX), default="")
    weeks: Mapped[int] = mapped_column(default=limits.DEFAULT_DISCUSSION_WEEKS)
    # Week 1 is the seven days from this date; each slot meets once in each week.
    first_week_on: Mapped[date] = mapped_column(Date)
    meeting_minutes: Mapped[int] = mapped_column(
        default=limits.DEFAULT_DURATION["group_meeting"])
    min_group_size: Mapped[int] = mapped_column(default=limits.MIN_GROUP_SIZE)
    max_group_size: Mapped[int] = mapped_column(default=limits.MAX_GROUP_SIZE)
    # The concessions of the last forming run, kept for whoever publishes it.
    facilitator_seats: Mapped[int] = mapped_column(default=0)
    size_exception_reason: Mapped[str] = mapped_column(Text, default="")
    size_exception_sides: Mapped[str] = mapped_column(String(20), default="")
    last_formed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once, when the organiser publishes the groups: nothing reaches people before.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    kickoff: Mapped[Event] = relationship()
    threads: Mapped[list[DiscussionThread]] = relationship(
        back_populates="discussion", order_by="DiscussionThread.position",
        cascade="all, delete-orphan")
    slots: Mapped[list[MeetingSlot]] = relationship(
        back_populates="discussion", order_by="(MeetingSlot.weekday, MeetingSlot.local_time)",
        cascade="all, delete-orphan")
    # The reading plan: the kick-off's resources that belong to a week
    # (events.resources.set_reading_plan writes them; one list, one source).
    reading_plan: Mapped[list[Resource]] = relationship(
        primaryjoin="and_(foreign(Resource.event_id) == BookDiscussion.kickoff_event_id, "
                    "Resource.week.is_not(None))",
        order_by="(Resource.week, Resource.position, Resource.id)", viewonly=True)

    @hybrid_property
    def groups_published(self) -> bool:
        """Whether the groups were published (members told, meetings in calendars)."""
        return self.published_at is not None

    @groups_published.inplace.expression
    @classmethod
    def _groups_published_expression(cls) -> ColumnElement[bool]:
        return cls.published_at.is_not(None)

    @property
    def zone(self) -> ZoneInfo:
        return self.programme.zone

    @property
    def title(self) -> str:
        return f"{self.book_title} — book discussion"


class DiscussionThread(Base):
    """One thread of the book that a group takes (e.g. "the library as a place")."""

    __tablename__ = "discussion_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("book_discussions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(limits.THREAD_NAME_MAX))

    discussion: Mapped[BookDiscussion] = relationship(back_populates="threads")


class MeetingSlot(Base):
    """A weekly meeting time the groups may take: a weekday and a local time in the
    programme's zone (the rule kept through clock changes, never a UTC instant)."""

    __tablename__ = "meeting_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("book_discussions.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, as date.weekday()
    local_time: Mapped[time] = mapped_column(Time)

    discussion: Mapped[BookDiscussion] = relationship(back_populates="slots")

    @property
    def label(self) -> str:
        """E.g. "Tuesdays 7:30 pm"."""
        clock = self.local_time.strftime("%I:%M %p").lstrip("0").lower()
        return f"{WEEKDAYS[self.weekday]}s {clock}"

    @property
    def typed(self) -> str:
        """As an organiser types it: "Tuesday 19:30"."""
        return f"{WEEKDAYS[self.weekday]} {self.local_time:%H:%M}"

    def date_in_week(self, discussion: BookDiscussion, week: int) -> date:
        """The day this slot meets in ``week`` (1-based) of the discussion."""
        start = discussion.first_week_on + timedelta(weeks=week - 1)
        return start + timedelta(days=(self.weekday - start.weekday()) % 7)


class SignUp(Base):
    """A person's one sign-up: their kick-off registration and their wishes for a group."""

    __tablename__ = "discussion_sign_ups"
    __table_args__ = (UniqueConstraint("discussion_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("book_discussions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    # Meeting slot ids that suit them, and thread ids in order of preference.
    slot_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    thread_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Someone they asked to be with, by e-mail (lower-cased), if anyone.
    with_email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX), default="")
    # Whether the other members of their group may see their first name.
    shares_first_name: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")
    registration: Mapped[Registration] = relationship()
    discussion: Mapped[BookDiscussion] = relationship()

    @property
    def first_name(self) -> str:
        return self.person.name.split()[0]


class GroupStatus(enum.StrEnum):
    candidate = "candidate"  # offered to the forming; nobody is told of it
    running = "running"      # published with its members
    closed = "closed"        # closed by the organisers after publishing


class DiscussionGroup(Base):
    """A group that takes one thread and meets in one slot, within its size limits."""

    __tablename__ = "discussion_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("book_discussions.id"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("discussion_threads.id"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("meeting_slots.id"))
    name: Mapped[str] = mapped_column(String(limits.TITLE_MAX))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Private: reached by members only, through their group join link.
    meeting_url: Mapped[str] = mapped_column(String(limits.MEETING_URL_MAX), default="")
    min_size: Mapped[int] = mapped_column(default=limits.MIN_GROUP_SIZE)
    max_size: Mapped[int] = mapped_column(default=limits.MAX_GROUP_SIZE)
    status: Mapped[GroupStatus] = mapped_column(_enum(GroupStatus, "group_status"),
                                               default=GroupStatus.candidate)

    discussion: Mapped[BookDiscussion] = relationship()
    thread: Mapped[DiscussionThread] = relationship(lazy="joined")
    slot: Mapped[MeetingSlot] = relationship(lazy="joined")
    facilitator: Mapped[Person | None] = relationship(lazy="joined")
    meetings: Mapped[list[GroupMeeting]] = relationship(
        back_populates="group", order_by="GroupMeeting.week", cascade="all, delete-orphan")

    @property
    def facilitator_first_name(self) -> str:
        return self.facilitator.name.split()[0] if self.facilitator else ""


class DraftPlacement(Base):
    """Where the current proposal puts one confirmed sign-up, before anything is published.

    ``locked``: the organiser fixed it there, and re-running keeps it;
    ``previous_group_id``: where the run before put them, so the page shows who moved.
    """

    __tablename__ = "draft_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("book_discussions.id"), index=True)
    sign_up_id: Mapped[int] = mapped_column(ForeignKey("discussion_sign_ups.id"), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_groups.id"))
    previous_group_id: Mapped[int | None] = mapped_column(ForeignKey("discussion_groups.id"))
    locked: Mapped[bool] = mapped_column(default=False)

    sign_up: Mapped[SignUp] = relationship()
    group: Mapped[DiscussionGroup | None] = relationship(foreign_keys=[group_id])

    @property
    def moved(self) -> bool:
        """Whether the last run (or the organiser) put them somewhere else than before."""
        return self.previous_group_id is not None and self.previous_group_id != self.group_id


class MemberStatus(enum.StrEnum):
    active = "active"
    left = "left"  # left by their own hand, or their group closed


class GroupMember(Base):
    """A sign-up's place in a published group. One row per sign-up: moving changes its group,
    so nobody can be in two groups of one discussion."""

    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_group_id_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sign_up_id: Mapped[int] = mapped_column(ForeignKey("discussion_sign_ups.id"), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_groups.id"))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus, "member_status"),
                                                 default=MemberStatus.active)
    # RFC 5546 §2.1.4: the SEQUENCE of their meetings' invitation (one UID for the
    # whole series), bumped on every REQUEST or CANCEL after the first.
    sequence: Mapped[int] = mapped_column(default=0)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sign_up: Mapped[SignUp] = relationship(lazy="joined")
    group: Mapped[DiscussionGroup] = relationship()

    @hybrid_property
    def is_active(self) -> bool:
        return self.status == MemberStatus.active

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return cls.status == MemberStatus.active


class GroupMeeting(Base):
    """One week's meeting of a group: an event of kind ``group_meeting`` (its time, room and
    facilitator's role), or a week skipped (a public holiday)."""

    __tablename__ = "group_meetings"
    __table_args__ = (UniqueConstraint("group_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("discussion_groups.id"))
    week: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    skipped: Mapped[bool] = mapped_column(default=False)

    group: Mapped[DiscussionGroup] = relationship(back_populates="meetings")
    event: Mapped[Event] = relationship(lazy="joined")


class MeetingAttendance(Base):
    """A member was at one week's meeting (their join link's first click, or marked)."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meetings.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("group_members.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
