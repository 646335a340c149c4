"""Who may register where not everyone may, asked for one person under the event's lock.

The rule itself is ``Event.takes_registrations`` (with ``early_access`` and
``allowed_address``); the prepared RSVP asks it for anyone at all, so a person
who needs early access or an address check comes here, on the locked path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from events import allowed_domains, early_access
from events.models import Event, Person


@dataclass(frozen=True)
class Admission:
    """What lets this person register: early access, and an address the allow-list admits."""

    early_access: bool = False
    allowed_address: bool = False


# Someone who needs nothing beyond what the event offers everyone.
ANYONE = Admission()


def admission_of(session: Session, event: Event, person: Person, now: datetime) -> Admission:
    """The person's admission to the event at ``now``.

    An address the programme's RSVP allow-list does not admit is refused here,
    beside the e-mail field, with the list in words.
    """
    if event.checks_addresses:
        allowed_domains.check(event.programme, person.email, "RSVPs are")
    early = (not event.is_announced(now)
             and early_access.has_early_access(session, event.id, person.id))
    return Admission(early_access=early, allowed_address=True)
