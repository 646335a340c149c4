"""Signing up for every session of a series at once.

One form, one transaction: a registration at each of the series' events
that takes one now, each through ``booking.register``, so every event's
capacity and waitlist hold exactly as for a single RSVP; if any event
refuses, nothing is kept. Events are booked in id order, so two sign-ups
racing for the same events take their rows in the same order and cannot
deadlock.

What the person is told: one e-mail that confirms them all (each seat, each
waitlist position, the manage link), and for each new seat one e-mail that
carries that event's calendar invitation. Calendar clients act on one event
per iTIP message (Outlook and Gmail ignore the rest of a multi-UID
invitation), so the invitations cannot ride in the summary, and a summary
that carried one of them would be treated as that event's invitation alone.
Each invitation is the registration's own REQUEST, with its UID and
SEQUENCE, so a later change or cancellation of that event updates the same
calendar entry. The per-event e-mails ``booking.register`` queued are
withdrawn in the same transaction, before anyone could send them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from events import booking, listings, outbox
from events.booking import Booking
from events.errors import InvalidInput, NotOpen
from events.models import (
    Event,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Series,
    utcnow,
)
from events.people import clean_email, clean_name

# The kinds of e-mail a sign-up sends: the summary, and one invitation per seat.
SUMMARY = "series_signup"
INVITATION = "series_invitation"


@dataclass(frozen=True)
class SeriesPlace:
    """One event of a sign-up, and the place it gave (or the one already held)."""

    event: Event
    booking: Booking


@dataclass(frozen=True)
class SeriesSignup:
    """The outcome of signing up for a series: a place per open event, soonest first."""

    series: Series
    places: list[SeriesPlace]

    @property
    def seats(self) -> int:
        return sum(place.booking.status == RegistrationStatus.confirmed
                   for place in self.places)

    @property
    def waitlisted(self) -> int:
        return sum(place.booking.status == RegistrationStatus.waitlisted
                   for place in self.places)

    @property
    def anything_new(self) -> bool:
        return any(place.booking.created for place in self.places)


def _events_to_book(session: Session, series_id: int, now: datetime) -> list[Event]:
    return list(session.execute(
        select(Event).where(Event.series_id == series_id, Event.offers_place(now))
        .order_by(Event.id)
    ).scalars())


def sign_up(session: Session, series_id: int, name: object, email: object,
            now: datetime | None = None) -> SeriesSignup:
    """Register ``email`` at every event of the series that takes registrations now.

    Each event gives a seat while it has one, else a place on its waitlist;
    a place the person already holds is kept as it is. Refuses with
    ``NotOpen`` when no event of the series takes registrations, or when one
    that did refuses meanwhile (nothing is kept then). The e-mails are
    queued as described above, and only when something is new.
    """
    try:
        person_name, address = clean_name(name), clean_email(email)
    except InvalidInput:
        # An unknown series is the better answer than a complaint about the form.
        listings.public_series(session, series_id)
        raise
    series = listings.public_series(session, series_id)
    events = _events_to_book(session, series.id, now or utcnow())
    if not events:
        raise NotOpen("No session of this series takes registrations now.")
    mark = outbox.newest_id(session)
    places = []
    for event in events:
        try:
            made = booking.register(session, event.id, person_name, address)
        except NotOpen as refusal:
            raise NotOpen(f"{event.title}: {refusal.message} Nothing was booked; "
                          "please look at the sessions again.") from None
        places.append(SeriesPlace(event, made))
    places.sort(key=lambda place: (place.event.starts_at, place.event.id))
    signup = SeriesSignup(series, places)
    if signup.anything_new:
        _tell(session, signup, mark)
    return signup


def _tell(session: Session, signup: SeriesSignup, mark: int) -> None:
    new = [place.booking for place in signup.places if place.booking.created]
    outbox.withdraw(session, [made.registration_id for made in new], after_id=mark)
    # As of now, like any waitlist notice: a position may change before it is read.
    places = [{"registration_id": place.booking.registration_id,
               "status": place.booking.status.value, "position": place.booking.position,
               "new": place.booking.created} for place in signup.places]
    # The summary first: messages go out in the order they were queued.
    outbox.enqueue_to_person(session, SUMMARY, new[0].registration.person,
                             series_id=signup.series.id, places=places)
    for made in new:
        if made.status == RegistrationStatus.confirmed:
            outbox.enqueue_invitation(session, made.registration, kind=INVITATION)


@dataclass(frozen=True)
class SummaryLine:
    """One place as the summary e-mail states it: the event as it is now, the place as it
    was when the person signed up."""

    event: Event
    status: RegistrationStatus
    position: int | None
    new: bool

    @property
    def comes_with_invitation(self) -> bool:
        """A new seat: its calendar invitation follows in an e-mail of its own."""
        return self.new and self.status == RegistrationStatus.confirmed


def summary_details(session: Session, message: OutboxMessage) -> dict[str, Any]:
    """What the summary e-mail shows (the series, its programme and each place); nothing
    for any other kind of message."""
    if message.kind != SUMMARY:
        return {}
    frozen = message.context.get("places", [])
    registrations = {registration.id: registration for registration in session.execute(
        select(Registration).where(Registration.id.in_([line["registration_id"]
                                                        for line in frozen]))
        .options(selectinload(Registration.event))
    ).scalars()}
    series = session.get_one(Series, message.context["series_id"])
    lines = [SummaryLine(registrations[line["registration_id"]].event,
                         RegistrationStatus(line["status"]), line["position"], line["new"])
             for line in frozen if line["registration_id"] in registrations]
    return {"series": series, "programme": series.programme, "places": lines}

