"""Invitations planned but not sent yet: the people of a copied or repeated event.

A copy of an event keeps who was on it, but nobody should hear of a new date
before the organisers have looked at it. So each guest, facilitator or
presenter of the original becomes a pending invitation: a name, an e-mail
and a part, known to the organisers only. Sending them hands each to
``events.invitations.invite``, the one way an invitation starts, and the
pending row is gone; until then nothing is written to the outbox and the
person has no role, no speaker page and no calendar entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import invitations, limits, scheduling
from events.errors import InvalidInput, NotFound
from events.models import Base, Event, Role, RoleKind, UTCDateTime, _enum, utcnow
from events.people import clean_email, clean_name, clean_text


class PendingInvitation(Base):
    """A person the organisers mean to invite to an event, not asked yet."""

    __tablename__ = "pending_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    kind: Mapped[RoleKind] = mapped_column(_enum(RoleKind, "role_kind"))
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME_MAX))
    email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX))
    # The person's own zone when known ("" if not).
    timezone: Mapped[str] = mapped_column(String(limits.TIMEZONE_MAX), default="")
    # The organiser's personal words, carried over from the invitation copied.
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    @property
    def plan(self) -> invitations.InvitationPlan:
        """The invitation as an organiser would type it."""
        return invitations.InvitationPlan(kind=self.kind.value, name=self.name,
                                          email=self.email, timezone=self.timezone,
                                          message=self.message)


def add_pending(session: Session, event: Event,
                plan: invitations.InvitationPlan) -> PendingInvitation:
    """Keep ``plan`` as an invitation to ``event`` to send later; checked as if sent now."""
    try:
        kind = RoleKind(plan.kind)
    except ValueError:
        raise InvalidInput("Choose the person's part.", field="kind") from None
    pending = PendingInvitation(
        event=event, kind=kind, name=clean_name(plan.name), email=clean_email(plan.email),
        timezone=scheduling.clean_zone(plan.timezone) if plan.timezone.strip() else "",
        message=clean_text(plan.message, "message", "personal message",
                           limits.INVITATION_MESSAGE_MAX))
    session.add(pending)
    session.flush()
    return pending


def copy_roles(session: Session, roles: Iterable[Role], to: Event) -> list[PendingInvitation]:
    """The invited and accepted people of ``roles`` as pending invitations to ``to``."""
    return [add_pending(session, to, invitations.InvitationPlan(
        kind=role.kind.value, name=role.person.name, email=role.person.email,
        timezone=role.person.timezone or "", message=role.message))
        for role in roles if role.engaged]


def copy_pending(session: Session, event: Event, to: Event) -> list[PendingInvitation]:
    """The invitations still waiting at ``event``, waiting at ``to`` as well."""
    return [add_pending(session, to, pending.plan) for pending in pending_for(session, event)]


def pending_for(session: Session, event: Event) -> list[PendingInvitation]:
    """The invitations of ``event`` waiting to be sent, in the order they were planned."""
    return list(session.execute(
        select(PendingInvitation).where(PendingInvitation.event_id == event.id)
        .order_by(PendingInvitation.id)).scalars())


def send_pending(session: Session, event: Event,
                 now: datetime | None = None) -> list[invitations.Invited]:
    """Send every pending invitation of ``event`` (all, or none if one is refused)."""
    now = now or utcnow()
    waiting = pending_for(session, event)
    if not waiting:
        raise NotFound("There are no invitations waiting to be sent.")
    sent = []
    for pending in waiting:
        sent.append(invitations.invite(session, event, pending.plan, now))
        session.delete(pending)
    session.flush()
    return sent


def discard_pending(session: Session, event: Event, pending_id: int) -> PendingInvitation:
    """Drop one pending invitation of ``event``: the person is never asked."""
    pending = session.get(PendingInvitation, pending_id)
    if pending is None or pending.event_id != event.id:
        raise NotFound("That invitation is not waiting to be sent.")
    session.delete(pending)
    session.flush()
    return pending
