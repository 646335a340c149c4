"""Reminders to speakers: an unanswered invitation, and the briefing before the event.

An invitation nobody answered is recalled after 3 days, then after 7
(``limits.SPEAKER_UNANSWERED_REMINDERS``, counted from when it was last
sent); a speaker who accepted gets their briefing and join link 2 days
before the event (``limits.SPEAKER_BRIEFING_REMINDER``). Each goes out once,
as participants' reminders do (``events.reminders``): a claim row, unique for
(invitation, kind, offset, round), is inserted in the same transaction as the
outbox message, so of two workers racing to queue it the database lets one
through. The round is when the invitation was sent: inviting someone again
starts a new round of reminders. A worker that was down sends only the
latest reminder that fell due.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload

from events import limits
from events.invitations import enqueue_for_role
from events.models import (
    Base,
    Event,
    EventStatus,
    InvitationStatus,
    Role,
    UTCDateTime,
    utcnow,
)

UNANSWERED, BRIEFING = "unanswered", "briefing"
# The round of an invitation made before rounds were recorded.
FIRST_ROUND = datetime(1970, 1, 1, tzinfo=UTC)


class SpeakerReminder(Base):
    """A reminder queued (or skipped) for one invitation, of one kind, at one offset."""

    __tablename__ = "speaker_reminders"
    __table_args__ = (UniqueConstraint("role_id", "kind", "offset_minutes", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    kind: Mapped[str] = mapped_column(String(20))
    offset_minutes: Mapped[int] = mapped_column(Integer)
    # When the invitation was sent (``Role.invited_at``): a new round, new reminders.
    round: Mapped[datetime] = mapped_column(UTCDateTime)
    # False when a later reminder superseded this one, or it was not worth sending.
    sent: Mapped[bool] = mapped_column(default=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _minutes(span: timedelta) -> int:
    return span // timedelta(minutes=1)


def queue_due(session: Session, now: datetime | None = None) -> int:
    """Queue every speaker reminder due at ``now``; return how many were queued.

    The caller commits. Safe to run from several workers at once.
    """
    now = now or utcnow()
    return _unanswered(session, now) + _briefings(session, now)


def _candidates(session: Session, status: InvitationStatus, kind: str, last_offset: int,
                *conditions: ColumnElement[bool]) -> list[Role]:
    """Invitations in ``status`` matching ``conditions`` whose last reminder of ``kind``
    (at ``last_offset``) is not claimed yet in their round."""
    done = select(SpeakerReminder.id).where(
        SpeakerReminder.role_id == Role.id, SpeakerReminder.kind == kind,
        SpeakerReminder.offset_minutes == last_offset,
        SpeakerReminder.round == func.coalesce(Role.invited_at, FIRST_ROUND))
    return list(session.execute(
        select(Role).join(Role.event)
        .where(Role.status == status, ~done.exists(), *conditions)
        .options(selectinload(Role.event).selectinload(Event.programme))
        .order_by(Role.id)
    ).scalars())


def _unanswered(session: Session, now: datetime) -> int:
    first = min(limits.SPEAKER_UNANSWERED_REMINDERS)
    last = _minutes(max(limits.SPEAKER_UNANSWERED_REMINDERS))
    roles = _candidates(session, InvitationStatus.invited, UNANSWERED, last,
                        Role.invited_at <= now - first, Event.starts_at > now,
                        # A role that follows another is answered with it: one reminder.
                        Role.lead_role_id.is_(None),
                        Event.status.in_((EventStatus.draft, EventStatus.published)))
    queued = 0
    for role in roles:
        sent_at = role.invited_at or FIRST_ROUND  # never None here (the query's filter)
        due = [_minutes(after) for after in limits.SPEAKER_UNANSWERED_REMINDERS
               if sent_at + after <= now]
        if _remind(session, role, UNANSWERED, due, sent_at, wanted=max(due)):
            enqueue_for_role(session, role, "speaker_unanswered",
                             days=max(due) // _minutes(timedelta(days=1)))
            queued += 1
    return queued


def _briefings(session: Session, now: datetime) -> int:
    before = limits.SPEAKER_BRIEFING_REMINDER
    roles = _candidates(session, InvitationStatus.accepted, BRIEFING, _minutes(before),
                        Event.starts_at > now,
                        Event.starts_at <= now + before,
                        Event.status == EventStatus.published)
    queued = 0
    offset = _minutes(before)
    for role in roles:
        # Someone who accepted after this fell due has just had it all in the
        # acceptance; a reminder on its heels would be noise.
        fresh = role.answered_at is not None and role.answered_at > role.event.starts_at - before
        if _remind(session, role, BRIEFING, [offset], role.invited_at or FIRST_ROUND,
                   wanted=None if fresh else offset):
            enqueue_for_role(session, role, "speaker_briefing")
            queued += 1
    return queued


def _remind(session: Session, role: Role, kind: str, due: list[int], round_: datetime,
            wanted: int | None) -> bool:
    """Claim every due offset (largest first, in every worker alike, so racing inserts
    wait on each other in one order); True if this worker claimed ``wanted``."""
    claimed = False
    for offset in sorted(due, reverse=True):
        inserted = _claim(session, role.id, kind, offset, round_, sent=offset == wanted)
        claimed = claimed or (inserted and offset == wanted)
    return claimed


def _claim(session: Session, role_id: int, kind: str, offset: int, round_: datetime,
           sent: bool) -> bool:
    """Insert the claim; False if it exists (another worker, or an earlier pass)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = session.execute(
        insert(SpeakerReminder)
        .values(role_id=role_id, kind=kind, offset_minutes=offset, round=round_, sent=sent,
                queued_at=utcnow())
        .on_conflict_do_nothing(index_elements=["role_id", "kind", "offset_minutes", "round"])
        .returning(SpeakerReminder.id)
    ).first()
    return row is not None
