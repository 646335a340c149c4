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

from sqlalchemy import true, update
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


# Whether the event is open at all; who may register (early access, the
# allow-list) the caller has settled for the person (``booking.check_open``).
def _open(event: Event, now: datetime) -> bool:
    return event.takes_registrations(now, early_access=True, allowed_address=True)


def _keeps_waitlist(event: Event, now: datetime) -> bool:
    return _open(event, now) and event.waitlist_enabled


def _not_started(event: Event, now: datetime) -> bool:
    return not event.has_started(now)


def _promotes(event: Event, now: datetime) -> bool:
    return event.promotes_from_waitlist(now)


def _records_attendance(event: Event, now: datetime) -> bool:
    return event.records_attendance(now)


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
NOT_STARTED_YET = ("Attendance can be recorded once the event has started; nobody can have "
                   "attended it yet.")
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
    # Attendance, marked (and corrected) by organisers once the event has begun:
    # the seat stays taken. Clearing a mark is always allowed.
    (confirmed, attended): Move(_records_attendance, NOT_STARTED_YET),
    (confirmed, no_show): Move(_records_attendance, NOT_STARTED_YET),
    (attended, no_show): Move(_records_attendance, NOT_STARTED_YET),
    (no_show, attended): Move(_records_attendance, NOT_STARTED_YET),
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
        if not _move_counters(session, event, rule):
            raise NotOpen(rule.no_seat)
        position = None
        if rule.waiting > 0:
            registration.queue_number, position = event.last_queue_number, event.waitlist_length
            registration.queued_at = now
            registration.confirmed_at = None
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


def _move_counters(session: Session, event: Event, rule: Move) -> bool:
    """Move the event's counters as ``rule`` says, in one guarded UPDATE, and give the
    loaded event their new values. False if the seat to take is not free.

    The guard is the capacity rule: a seat is taken only while one is free
    (``Event.has_free_seat``), and given back only while the counter shows one.
    Joining the waitlist also takes the next queue number.
    """
    changes = {"seats_taken": rule.seats, "waitlist_length": rule.waiting,
               "last_queue_number": max(rule.waiting, 0)}
    changes = {name: change for name, change in changes.items() if change}
    if not changes:
        return True
    guard = (Event.has_free_seat if rule.seats > 0
             else Event.seats_taken > 0 if rule.seats < 0 else true())
    moved = session.execute(
        update(Event).where(Event.id == event.id, guard)
        # Places are not part of any calendar: leave updated_at (LAST-MODIFIED) alone.
        .values({**{getattr(Event, name): getattr(Event, name) + change
                    for name, change in changes.items()}, Event.updated_at: Event.updated_at})
        .returning(*(getattr(Event, name) for name in changes))
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if moved is None:
        # A seat given back that the counter no longer shows (a capacity or a
        # count edited by hand) leaves it at zero; a seat to take is refused.
        return rule.seats < 0
    for name, value in zip(changes, moved, strict=True):
        set_committed_value(event, name, value)
    return True
