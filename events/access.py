"""Who may reach what without an account: personal join links and manage links.

A join token is an HMAC of the registration id under the site's secret, so
it can be written into every e-mail and feed again without storing it, and
cannot be guessed or forged. The person's manage nonce is signed with it:
replacing their links (``events.link_replacement``) ends their join links too.
The meeting room itself stays private: the link redirects to whatever the
event's room is at the moment of the click.

A manage token opens a person's own page (``/me/<token>``). E-mails are
rendered when they are sent, long after the request that queued them, so the
token must be reproducible then, yet must not sit in the database. It is
therefore derived: HMAC-SHA256 under the site's secret of the person's random
256-bit nonce. The database holds the nonce (useless without the secret key)
and the token's SHA-256 (for an indexed, constant-time lookup), never the
token. Revoking draws a new nonce, so every earlier link stops working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from events import calendar, limits, outbox, resources, signed_links, waitlist
from events.errors import NotFound, NotOpen
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    new_manage_nonce,
    utcnow,
)
from events.people import clean_email
from events.resources import Resource
from events.site import Site


def join_token(site: Site, registration: Registration) -> str:
    """The registration's personal join token (192 bits of HMAC after its id)."""
    return f"{registration.id}-{_join_mac(site, registration)}"


def _join_mac(site: Site, registration: Registration) -> str:
    # ``Registration.person`` is loaded with the registration (lazy="joined").
    return signed_links.mac(site.secret_key, "join", registration.id,
                            registration.person.manage_nonce)


def join_url(site: Site, registration: Registration) -> str:
    """The absolute personal join link to put in invitations and pages."""
    return site.links.join(join_token(site, registration))


def registration_for_join_token(session: Session, site: Site, token: str) -> Registration:
    """Return the registration a join token belongs to, or raise ``NotFound``."""
    parts = signed_links.split_token(token)
    registration = session.get(Registration, parts[0]) if parts else None
    if (parts is None or registration is None
            or not signed_links.same_mac(parts[1], _join_mac(site, registration))):
        raise NotFound("This join link is not valid.")
    return registration


def has_join_link(registration: Registration) -> bool:
    """Who sees the meeting link: whoever holds a seat at an event that is on.

    They get a personal join link (pages, invitations, their feed); the link
    opens the room only around the event's time (``meeting_room_for``).
    Nobody else, and nothing public, ever carries the room's address.
    """
    return registration.holds_seat and registration.event.status == EventStatus.published


def meeting_room_for(registration: Registration, now: datetime | None = None) -> str:
    """The meeting URL the holder of ``registration`` may enter at ``now``, or a refusal."""
    if not has_join_link(registration):
        raise NotOpen(_why_no_join_link(registration))
    return room_open_at(registration.event, now or utcnow(), limits.JOIN_OPENS_BEFORE)


def room_open_at(event: Event, now: datetime, opens_before: timedelta) -> str:
    """The event's meeting URL if its room is open at ``now`` for someone let in
    ``opens_before`` the start; otherwise a refusal saying when it opens."""
    if now < event.starts_at - opens_before:
        minutes = opens_before // timedelta(minutes=1)
        raise NotOpen(f"The room opens {minutes} minutes before the start.")
    if now > event.ends_at + limits.JOIN_CLOSES_AFTER_END:
        raise NotOpen("This event is over.")
    if not event.meeting_url:
        raise NotOpen("The organisers have not set a meeting room yet.")
    return event.meeting_url


def _why_no_join_link(registration: Registration) -> str:
    if registration.event.status == EventStatus.cancelled:
        return "This event has been cancelled."
    if registration.status == RegistrationStatus.waitlisted:
        return "You are on the waitlist for this event, so there is no seat to join yet."
    if registration.status == RegistrationStatus.cancelled:
        return "You cancelled your place at this event."
    return "This event is over."


def record_join(session: Session, registration: Registration,
                now: datetime | None = None) -> None:
    """Note the first click on the join link; later clicks keep the first time."""
    session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.first_joined_at.is_(None))
        .values(first_joined_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def manage_token(site: Site, person: Person) -> str:
    """The person's current manage token (reads only; see ``issue_manage_token``)."""
    return signed_links.mac(site.secret_key, "manage", person.id, person.manage_nonce, length=32)


def manage_url(site: Site, person: Person) -> str:
    """The absolute "manage your places" link (reads only).

    It opens the page once the token has been issued (``issue_manage_token``),
    which happens before any e-mail carrying it is sent; a page or feed
    reached through the token has it issued already.
    """
    return site.links.my_places(manage_token(site, person))


def issue_manage_token(session: Session, site: Site, person: Person) -> str:
    """Make the person's current manage token open their page, and return it.

    A write: the token's hash is stored for look-up (the token itself never
    is). Deterministic for one nonce and secret, so two workers sending
    e-mails to the same person at once write the same hash.
    """
    token = manage_token(site, person)
    digest = signed_links.digest(token)
    if person.manage_token_hash != digest:
        person.manage_token_hash = digest
        session.flush()
    return token


def person_for_manage_token(session: Session, token: str) -> Person:
    """The person a manage token opens, or ``NotFound`` for a wrong or revoked one."""
    if not token or len(token) > 100:
        raise NotFound("There is nothing at this address.")
    person = session.execute(
        select(Person).where(Person.manage_token_hash == signed_links.digest(token))
    ).scalar_one_or_none()
    if person is None:
        raise NotFound("There is nothing at this address.")
    return person


def revoke_manage_links(session: Session, person: Person) -> None:
    """Make every manage link of the person stop working; a new one follows by e-mail."""
    person.manage_nonce = new_manage_nonce()
    person.manage_token_hash = None
    session.flush()
    outbox.enqueue_to_person(session, "manage_link", person, reason="revoked")


def send_lost_link(session: Session, email: object, now: datetime | None = None) -> None:
    """Queue the person's manage link to ``email`` if we know it; otherwise do nothing.

    The caller answers the same either way, so the form reveals nobody. Asking
    again within ``limits.LOST_LINK_QUIET`` queues nothing more.
    """
    now = now or utcnow()
    address = clean_email(email)
    person = session.execute(select(Person).where(Person.email == address)).scalar_one_or_none()
    if person is None:
        return
    has_place = session.execute(
        select(Registration.id).where(Registration.person_id == person.id).limit(1)
    ).scalar_one_or_none()
    if has_place is None:
        return
    recent = session.execute(
        select(OutboxMessage.id).where(OutboxMessage.kind == "manage_link",
                                       OutboxMessage.person_id == person.id,
                                       OutboxMessage.created_at > now - limits.LOST_LINK_QUIET)
        .limit(1)
    ).scalar_one_or_none()
    if recent is None:
        outbox.enqueue_to_person(session, "manage_link", person, reason="asked")


def places_of(session: Session, person: Person) -> list[Registration]:
    """All of the person's registrations, soonest event first."""
    return list(session.execute(
        select(Registration).join(Registration.event)
        .where(Registration.person_id == person.id, Event.status != EventStatus.draft)
        .options(selectinload(Registration.event).selectinload(Event.programme))
        .order_by(Event.starts_at, Registration.id)
    ).scalars())


@dataclass(frozen=True)
class Place:
    """One of a person's registrations, with what their own page shows beside it."""

    registration: Registration
    # 1-based place in the queue, while waiting.
    position: int | None
    # The personal join link, for a seat at an event that is on (``has_join_link``).
    join_url: str | None


@dataclass(frozen=True)
class MyPlaces:
    """A person's places: events still to come (or under way), and those that ended."""

    upcoming: list[Place]
    past: list[Place]
    # What each place shows to read or watch, by registration id (``resources.for_places``).
    resources: dict[int, list[Resource]]


def my_places(session: Session, site: Site, person: Person,
              now: datetime | None = None) -> MyPlaces:
    """Everything the person's own page shows, in a fixed number of queries."""
    now = now or utcnow()
    registrations = places_of(session, person)
    positions = waitlist.waitlist_positions(session, registrations)
    places = [Place(registration, positions.get(registration.id),
                    join_url(site, registration) if has_join_link(registration) else None)
              for registration in registrations]
    return MyPlaces(upcoming=[place for place in places
                              if place.registration.event.ends_at > now],
                    past=[place for place in places if place.registration.event.ends_at <= now],
                    resources=resources.for_places(session, registrations, now))


def place_of(session: Session, person: Person, registration_id: int) -> Registration:
    """One of the person's own registrations; anyone else's is ``NotFound``."""
    registration = session.get(Registration, registration_id)
    if registration is None or registration.person_id != person.id:
        raise NotFound("There is no such place among yours.")
    return registration


def personal_feed(session: Session, site: Site, person: Person,
                  series: Sequence[Calendar] = (),
                  series_changed_at: datetime | None = None) -> bytes:
    """The person's private calendar: confirmed places with their join links,
    cancelled ones as STATUS:CANCELLED under the invitation's UID (so calendars
    that took the invitation drop it too). Waitlist places are not events yet.
    ``series`` are recurring entries of theirs (a discussion group's meetings),
    changed last at ``series_changed_at``.
    """
    places = [place for place in places_of(session, person)
              if place.status != RegistrationStatus.waitlisted]
    # Reached through the person's token, so it has been issued: reading suffices.
    link = manage_url(site, person)
    personal = {place.event_id: calendar.Attendance(place, join_url=join_url(site, place),
                                                    manage_url=link) for place in places}
    # DTSTAMP follows the last change, so an unchanged feed is byte-identical.
    stamp = max((max(place.event.updated_at, place.updated_at) for place in places),
                default=series_changed_at)
    if series_changed_at is not None and stamp is not None:
        stamp = max(stamp, series_changed_at)
    return calendar.feed([place.event for place in places], site,
                         f"{person.name}: my Mingle events", _zone_of(places), now=stamp,
                         personal=personal, series=series)


def _zone_of(places: list[Registration]) -> str:
    return places[0].event.timezone if places else "UTC"
