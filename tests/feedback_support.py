"""Events that have happened, people who came, and answers given through the real form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from events import feedback, feedback_settings
from events.feedback import Answers
from events.feedback_models import Purpose
from events.models import Event, Person, Registration, RegistrationStatus, Series, utcnow
from tests.conftest import make_site

# The app fixture's secret: tokens made here open the app's pages.
SITE = make_site()


@dataclass
class Held:
    """An event that took place and the places at it, by status."""

    event: Event
    places: dict[RegistrationStatus, list[Registration]] = field(default_factory=dict)

    def __getitem__(self, status: str) -> list[Registration]:
        return self.places.get(RegistrationStatus(status), [])


def held_event(session: Session, make_event: Callable[..., Event], *, attended: int = 0,
               no_show: int = 0, confirmed: int = 0, cancelled: int = 0,
               ended: datetime | None = None, prefix: str = "p", **fields: Any) -> Held:
    """A 30-minute event that ended at ``ended`` (an hour ago by default), with places
    written as they stand after it (statuses as organisers marked them)."""
    ended = ended or utcnow().replace(microsecond=0) - timedelta(hours=1)
    event = make_event(starts_at=ended - timedelta(minutes=30), duration_minutes=30, **fields)
    held = Held(event)
    counts = {RegistrationStatus.attended: attended, RegistrationStatus.no_show: no_show,
              RegistrationStatus.confirmed: confirmed, RegistrationStatus.cancelled: cancelled}
    n = 0
    for status, count in counts.items():
        for _ in range(count):
            person = Person(name=f"{prefix.upper()} Person {event.id}-{n}",
                            email=f"{prefix}{event.id}-{n}@example.org")
            registration = Registration(event=event, person=person, status=status)
            session.add(registration)
            held.places.setdefault(status, []).append(registration)
            n += 1
    event.seats_taken = attended + no_show + confirmed
    session.commit()
    return held


def token_of(registration: Registration) -> str:
    return feedback.token(SITE, registration.id)


def give(session: Session, registration: Registration, now: datetime | None = None,
         purpose: Purpose = Purpose.after_event, **answers: Any) -> feedback.Form:
    """Answer through the domain's one way in, and commit."""
    if purpose == Purpose.after_event and registration.status != RegistrationStatus.no_show:
        answers.setdefault("rating", 4)
    form = feedback.answer(session, SITE, token_of(registration), purpose, Answers(**answers),
                           now=now)
    session.commit()
    return form


def settings(session: Session, series: Series, *, named: bool = False,
             outcomes: tuple[str, ...] = (), automatic: bool = True, delay: int = 0,
             remind_at: time = time(19, 0)) -> None:
    feedback_settings.save_settings(session, series, feedback_settings.SettingsPlan(
        automatic=automatic, named=named, delay_minutes=delay, remind_at=remind_at,
        outcomes=list(outcomes)))
    session.commit()


def day(year: int, month: int, d: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, d, hour, minute, tzinfo=UTC)
