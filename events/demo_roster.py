"""Demo: two big-room webinars, one held last week and one still to come, each with
more people than fit, so the roster's lists, search and pages, the confirmation before
marking or messaging many people, and the dashboard's "held" and "to come" all show on
first use."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, feedback_settings, outbox, roster, waitlist
from events.models import (
    Event,
    EventKind,
    EventStatus,
    OutboxMessage,
    OutboxStatus,
    Programme,
    Registration,
    RegistrationStatus,
)

FIRST = ["Ana", "Bruno", "Chloe", "Dawit", "Eru", "Fatima", "George", "Hana", "Ivan", "Jade",
         "Kauri", "Lena", "Manaia", "Nora", "Oscar", "Priya"]
LAST = ["Ahn", "Baker", "Cho", "Diaz", "Eru", "Fale", "Gray", "Hall", "Ito", "Jones", "Kaur",
        "Lam", "Moana", "Ngata", "Owen", "Patel"]


def _people() -> list[tuple[str, str]]:
    return [(f"{first} {last}", f"{first.lower()}.{last.lower()}@example.net")
            for first in FIRST for last in LAST]


def _webinar(programme: Programme, title: str, starts: datetime, capacity: int) -> Event:
    return Event(programme=programme, kind=EventKind.webinar, title=title,
                 description="A webinar for the whole sector: one presenter, questions in "
                             "the chat, muted entry.",
                 starts_at=starts, duration_minutes=60, timezone=programme.timezone,
                 capacity=capacity, status=EventStatus.published,
                 meeting_url="https://meet.jit.si/mingle-demo-webinar-r4t9")


def _fill(session: Session, event: Event, people: list[tuple[str, str]], cancelled: int,
          chance: random.Random) -> list[Registration]:
    """RSVPs ten days before; a few give their seat back, which goes to the waitlist."""
    before = event.starts_at - timedelta(days=10)
    places = [booking.register(session, event.id, name, email, now=before).registration
              for name, email in people]
    for place in chance.sample(places[:event.capacity], cancelled):
        booking.cancel(session, place.id, now=before + timedelta(days=2))
    return places


def seed_roster_demo(session: Session, programme: Programme, now: datetime) -> list[Event]:
    """Add the two webinars to the demo programme and return them (held, then to come)."""
    chance = random.Random(2026)
    zone = programme.zone
    last_week = (now - timedelta(days=8)).astimezone(zone).date()
    soon = (now + timedelta(days=12)).astimezone(zone).date()
    held = _webinar(programme, "Webinar: Open access in practice",
                    datetime.combine(last_week, time(19, 30), tzinfo=zone).astimezone(UTC), 200)
    coming = _webinar(programme, "Webinar: Copyright questions, answered",
                      datetime.combine(soon, time(19, 30), tzinfo=zone).astimezone(UTC), 150)
    session.add_all([held, coming])
    session.flush()
    people = _people()
    chance.shuffle(people)
    _fill(session, held, people[:230], 6, chance)
    _fill(session, coming, people[60:225], 3, chance)
    # Attendance at the one held: most came, some did not, a few left unmarked.
    seated = [place.id for place in session.execute(
        select(Registration).where(Registration.event_id == held.id,
                                   Registration.status == RegistrationStatus.confirmed)
        .order_by(Registration.id)).scalars()]
    chance.shuffle(seated)
    roster.mark(session, held, seated[:150], RegistrationStatus.attended, now)
    roster.mark(session, held, seated[150:182], RegistrationStatus.no_show, now)
    # Its feedback would have been asked for at the time; the feedback demo is the
    # finished series, so nobody here is asked now.
    feedback_settings.set_automatic(session, held, False)
    # Its waitlist closed when it began, and those still waiting were told then.
    waitlist.close_waitlist(session, held.id, now)
    # Their confirmations went out at the time: none waits in the outbox now.
    for message in session.execute(select(OutboxMessage).where(
            OutboxMessage.event_id.in_([held.id, coming.id]),
            OutboxMessage.status == OutboxStatus.queued)).scalars():
        outbox.mark_sent(message, message.created_at)
    return [held, coming]
