"""A registration's status, and the one way to move it from one status to another.

A place is ``confirmed`` (it holds a seat), ``waitlisted`` or ``cancelled``;
after the event a seat is marked ``attended`` or ``no_show`` (still holding
it, so the figures add up). ``MOVES`` lists every allowed move, and with it
what must happen at the same time: the event's seat counter, the waitlist's
length and the newcomer's queue number, the e-mail the person gets (with its
calendar METHOD), and whether the invitation's own SEQUENCE grows. ``move``
is the only code that assigns a status; it does all of that and says what
must follow (a freed seat goes to the waitlist:
``waitlist.promote_from_waitlist``).

The prepared RSVP (``events.prepared_rsvp``) creates new registrations in a
few statements, confirmed or waitlisted, doing in SQL what the moves from
``None`` below do; tests hold the two to the same rows and messages.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from events import outbox
from events.errors import NotOpen
from events.models import Event, Registration, RegistrationStatus

confirmed, waitlisted, cancelled = (RegistrationStatus.confirmed, RegistrationStatus.waitlisted,
                                    RegistrationStatus.cancelled)
attended, no_show = RegistrationStatus.attended, RegistrationStatus.no_show

# Which rule of the event a move needs at ``now``, and what to say when it fails.
Allowed = Callable[[Event, datetime], bool]


def _open(event: Event, now: datetime) -> bool:
    return event.takes_registrations(now)


def _keeps_waitlist(event: Event, now: datetime) -> bool:
    return event.takes_registrations(now) and event.waitlist_enabled


def _not_started(event: Event, now: datetime) -> bool:
    return not event.has_started(now)


def _promotes(event: Event, now: datetime) -> bool:
    return event.promotes_from_waitlist(now)


@dataclass(frozen=True)
class Move:
    """What moving a registration between two statuses needs and does."""

    # The event's rule that must hold at ``now``, and the refusal if it does not
    # (by default the event's own reason for taking no registrations).
    allowed: Allowed | None = None
    refusal: str | None = None
    # Change of the event's seat counter: +1 takes a free seat, -1 gives one back.
    seats: int = 0
    # Refusal when the seat to take is not free.
    no_seat: str = "This event is full."
    # Change of the waitlist's length: +1 joins the back of the queue, -1 leaves it.
    waiting: int = 0
    # The e-mail the person gets, and its iTIP METHOD if it carries their invitation.
    message: str | None = None
    method: str | None = None
    # RFC 5546 §2.1.4: a CANCEL, or a new REQUEST after one, needs a higher SEQUENCE
    # of the invitation's own (``calendar.invitation_sequence``).
    own_sequence_grows: bool = False


STARTED = "This event has already started."
MOVES: dict[tuple[RegistrationStatus | None, RegistrationStatus], Move] = {
    # A new registration (``None``): a seat while any is free, else the waitlist.
    (None, confirmed): Move(_open, seats=+1, message="confirmation", method="REQUEST"),
    (None, waitlisted): Move(_keeps_waitlist, waiting=+1, message="waitlisted"),
    # Coming back after cancelling: to the back of the queue if it is full.
    (cancelled, confirmed): Move(_open, seats=+1, message="confirmation", method="REQUEST",
                                 own_sequence_grows=True),
    (cancelled, waitlisted): Move(_keeps_waitlist, waiting=+1, message="waitlisted",
                                  own_sequence_grows=True),
    # Giving a place up before the start; a seat given back goes to the waitlist.
    (confirmed, cancelled): Move(_not_started, STARTED, seats=-1, message="cancelled",
                                 method="CANCEL", own_sequence_grows=True),
    (waitlisted, cancelled): Move(_not_started, STARTED, waiting=-1, message="waitlist_left"),
    # Promotion from the waitlist, in turn or by an organiser's hand.
    (waitlisted, confirmed): Move(
        _promotes, "The waitlist is closed: the event has started or registration has closed.",
        seats=+1, no_seat="No seat is free. Raise the capacity or wait for a cancellation.",
        waiting=-1, message="promoted", method="REQUEST"),
    # Attendance, marked (and corrected) by organisers: the seat stays taken.
    (confirmed, attended): Move(), (confirmed, no_show): Move(),
    (attended, no_show): Move(), (no_show, attended): Move(),
    (attended, confirmed): Move(), (no_show, confirmed): Move(),
}


@dataclass(frozen=True)
class Moved:
    """A registration after its move, and what the caller must do next."""

    registration: Registration
    # A seat was given back: promote from the waitlist (``waitlist.promote_from_waitlist``).
    frees_seat: bool
    # 1-based place in the queue, when the move joined the waitlist.
    position: int | None = None


def move(session: Session, registration: Registration, to: RegistrationStatus,
         now: datetime) -> Moved:
    """Move ``registration`` to status ``to`` (a new one has status ``None``), with everything
    that goes with it: the seat counter, the person's e-mail in the outbox, the invitation's
    own SEQUENCE.

    The caller holds the event's lock (``locking.lock_event``) and has read the
    registration under it. Raises ``NotOpen`` with a reason for a move ``MOVES``
    does not allow, or one the event's rules refuse at ``now``.
    """
    rule = MOVES.get((registration.status, to))
    if rule is None:
        was = registration.status.value if registration.status else "new"
        raise NotOpen(f"A {was} place cannot become {to.value}.")
    event = registration.event
    # A new registration may already be in the session (through its event):
    # it must not be written before it has a status.
    with session.no_autoflush:
        if rule.allowed is not None and not rule.allowed(event, now):
            raise NotOpen(rule.refusal or event.closed_reason(now) or "This event is full.")
        if rule.seats > 0 and not _take_seat(session, event):
            raise NotOpen(rule.no_seat)
        if rule.seats < 0:
            _give_back_seat(session, event)
        position = None
        if rule.waiting > 0:
            registration.queue_number, position = _join_queue(session, event)
            registration.queued_at = now
            registration.confirmed_at = None
        elif rule.waiting < 0:
            _leave_queue(session, event)
        if to == confirmed and rule.seats > 0:
            if registration.status in (None, cancelled):
                registration.queued_at = now
            registration.confirmed_at = now
        if rule.own_sequence_grows:
            registration.sequence = (registration.sequence or 0) + 1
        registration.status = to
    session.add(registration)
    session.flush()
    if rule.method is not None:
        outbox.enqueue_invitation(session, registration, kind=rule.message or "",
                                  method=rule.method)
    elif rule.message == "waitlisted":
        outbox.enqueue(session, rule.message, registration, position=position)
    elif rule.message is not None:
        outbox.enqueue(session, rule.message, registration)
    return Moved(registration, frees_seat=rule.seats < 0, position=position)


def _take_seat(session: Session, event: Event) -> bool:
    """The capacity rule's guarded UPDATE: a seat only while one is free."""
    taken = session.execute(
        update(Event).where(Event.id == event.id, Event.has_free_seat)
        # Seats are not part of any calendar: leave updated_at (LAST-MODIFIED) alone.
        .values(seats_taken=Event.seats_taken + 1, updated_at=Event.updated_at)
        .returning(Event.seats_taken).execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        return False
    set_committed_value(event, "seats_taken", taken)
    return True


def _give_back_seat(session: Session, event: Event) -> None:
    left = session.execute(
        update(Event).where(Event.id == event.id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1, updated_at=Event.updated_at)
        .returning(Event.seats_taken).execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if left is not None:
        set_committed_value(event, "seats_taken", left)


def _join_queue(session: Session, event: Event) -> tuple[int, int]:
    """The next queue number and the newcomer's position (the length after them)."""
    number, length = session.execute(
        update(Event).where(Event.id == event.id)
        .values(waitlist_length=Event.waitlist_length + 1,
                last_queue_number=Event.last_queue_number + 1, updated_at=Event.updated_at)
        .returning(Event.last_queue_number, Event.waitlist_length)
        .execution_options(synchronize_session=False)
    ).one()
    set_committed_value(event, "last_queue_number", number)
    set_committed_value(event, "waitlist_length", length)
    return number, length


def _leave_queue(session: Session, event: Event) -> None:
    length = session.execute(
        update(Event).where(Event.id == event.id, Event.waitlist_length > 0)
        .values(waitlist_length=Event.waitlist_length - 1, updated_at=Event.updated_at)
        .returning(Event.waitlist_length).execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if length is not None:
        set_committed_value(event, "waitlist_length", length)
