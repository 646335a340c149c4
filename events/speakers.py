"""A guest's, facilitator's or presenter's own schedule: their page, feed and e-mails.

What a speaker sees is decided here, once, for the page, the feed and every
e-mail: times in their own zone beside the programme's, who else is on the
event, how many have RSVPed (counts only: never a participant's name or
e-mail), and, once they have accepted, the briefings, the facilitator's
e-mail and their personal join link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from events import calendar, speaker_access
from events.briefings import Briefing, briefings_for
from events.models import (
    Event,
    InvitationStatus,
    Person,
    Role,
    RoleKind,
    utcnow,
)
from events.scheduling import clean_zone
from events.site import Site
from events.speaker_access import SpeakerLink
from events.zone_times import TwoZoneTime, two_zones


@dataclass(frozen=True)
class Colleague:
    """Someone else taking part in the event, as a speaker may see them."""

    name: str
    kind: RoleKind
    # False while their invitation is not answered yet.
    confirmed: bool
    # The facilitator's address, for speakers who accepted; nobody else's.
    email: str | None = None


@dataclass(frozen=True)
class Engagement:
    """One of a speaker's events with everything their page shows beside it."""

    role: Role
    when: TwoZoneTime
    colleagues: list[Colleague]
    # Present only with an accepted invitation at an event that is on.
    join_url: str | None
    # Only for an accepted invitation, newest first.
    briefings: list[Briefing]
    confirmed: int
    waitlisted: int
    # The events whose roles follow this one (a discussion group's later meetings):
    # answered with it, so they are listed beside it rather than asked again.
    also: list[Event] = field(default_factory=list)

    @property
    def event(self) -> Event:
        return self.role.event


@dataclass(frozen=True)
class Schedule:
    """A speaker's page: invitations to answer, events to come and past, and the rest."""

    person: Person
    pending: list[Engagement]
    upcoming: list[Engagement]
    past: list[Engagement]
    # Declined or withdrawn: named, nothing more.
    closed: list[Role]


def roles_of(session: Session, person: Person) -> list[Role]:
    """All of the person's invitations with their events and the events' people,
    soonest event first, in a fixed number of queries."""
    return list(session.execute(
        select(Role).join(Role.event).where(Role.person_id == person.id)
        .options(selectinload(Role.event).selectinload(Event.programme),
                 selectinload(Role.event).selectinload(Event.series),
                 selectinload(Role.event).selectinload(Event.roles))
        .order_by(Event.starts_at, Role.id)
    ).scalars())


def colleagues_of(role: Role) -> list[Colleague]:
    """The others invited to or taking part in ``role``'s event; the facilitator's e-mail
    only for someone who accepted."""
    insider = role.status == InvitationStatus.accepted
    return [Colleague(other.public_name, other.kind, other.status == InvitationStatus.accepted,
                      other.person.email if insider and other.kind == RoleKind.facilitator
                      and other.status == InvitationStatus.accepted else None)
            for other in role.event.roles
            if other.person_id != role.person_id and other.engaged]


def schedule(session: Session, site: Site, person: Person,
             now: datetime | None = None) -> Schedule:
    """Everything the speaker's page shows, in a fixed number of queries."""
    now = now or utcnow()
    roles = roles_of(session, person)
    live = [role for role in roles if role.engaged]
    notes = briefings_for(session, [role.event for role in live])

    followers: dict[int, list[Event]] = {}
    for role in live:
        if role.lead_role_id is not None:
            followers.setdefault(role.lead_role_id, []).append(role.event)

    def engagement(role: Role) -> Engagement:
        event = role.event
        insider = role.status == InvitationStatus.accepted
        return Engagement(role, two_zones(event.starts_at, event.timezone, person.timezone, now),
                          colleagues_of(role), speaker_access.join_url(site, role),
                          notes.get(event.id, []) if insider else [],
                          event.seats_taken, event.waitlist_length,
                          followers.get(role.id, []))

    engagements = [engagement(role) for role in live]
    return Schedule(
        person=person,
        # One invitation to answer per lead: the roles that follow it are answered with it.
        pending=[e for e in engagements if e.role.status == InvitationStatus.invited
                 and e.role.lead_role_id is None and e.event.ends_at > now],
        upcoming=[e for e in engagements
                  if e.role.status == InvitationStatus.accepted and e.event.ends_at > now],
        past=[e for e in engagements
              if e.role.status == InvitationStatus.accepted and e.event.ends_at <= now],
        closed=[role for role in roles if not role.engaged])


def set_own_zone(session: Session, person: Person, zone: object) -> Person:
    """The person says which zone they live in ("" to say none): times are then shown
    to them in it beside the programme's."""
    person.timezone = clean_zone(zone) if isinstance(zone, str) and zone.strip() else None
    session.flush()
    return person


def speaker_feed(session: Session, site: Site, person: Person) -> bytes:
    """The speaker's private calendar: every accepted invitation with their join link
    (a cancelled event as STATUS:CANCELLED under the invitation's UID)."""
    roles = [role for role in roles_of(session, person)
             if role.status == InvitationStatus.accepted]
    link = session.get(SpeakerLink, person.id)
    page = speaker_access.speaker_url(site, link) if link is not None else None
    personal: dict[int, calendar.Attendance | calendar.RolePart] = {
        role.event_id: calendar.RolePart(role, speaker_access.join_url(site, role), page)
        for role in roles}
    # DTSTAMP follows the last change, so an unchanged feed is byte-identical.
    stamp = max((max(role.event.updated_at, role.answered_at or role.event.updated_at)
                 for role in roles), default=None)
    zone = person.timezone or (roles[0].event.timezone if roles else "UTC")
    return calendar.feed([role.event for role in roles], site,
                         f"{person.name}: speaking at Mingle", zone, now=stamp,
                         personal=personal)


@dataclass(frozen=True)
class MailFacts:
    """What an e-mail to a speaker says about their invitation, built when it is sent."""

    when: TwoZoneTime
    colleagues: list[Colleague]
    page_url: str | None
    invitation_url: str | None
    accept_url: str | None
    decline_url: str | None
    join_url: str | None
    briefings: list[Briefing]


def mail_facts(session: Session, site: Site, role: Role,
               now: datetime | None = None) -> MailFacts:
    """The links and facts of an e-mail to ``role``'s speaker (the speaker link issued)."""
    now = now or utcnow()
    event = role.event
    link = session.get(SpeakerLink, role.person_id)
    token = speaker_access.speaker_token(site, link) if link is not None else None

    def invitation(answer: str | None = None) -> str | None:
        return site.links.speaker_invitation(token, role.id, answer) if token else None

    insider = role.status == InvitationStatus.accepted
    return MailFacts(
        when=two_zones(event.starts_at, event.timezone, role.person.timezone, now),
        colleagues=colleagues_of(role),
        page_url=site.links.speaker_page(token) if token else None,
        invitation_url=invitation(), accept_url=invitation("accept"),
        decline_url=invitation("decline"),
        join_url=speaker_access.join_url(site, role),
        briefings=briefings_for(session, [event])[event.id] if insider else [])

