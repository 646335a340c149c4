"""A realistic demo programme, so a fresh install has something to show."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import accounts, demo_feedback, demo_ideas, demo_roster, demo_speakers, limits
from events.demo_discussions import seed_book_discussion
from events.demo_pathways import seed_demo_pathways
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Role,
    RoleKind,
    Series,
)
from events.site import Site

ZONE = limits.DEFAULT_TIMEZONE


def is_empty(session: Session) -> bool:
    """True when no programme exists yet."""
    return session.execute(select(func.count()).select_from(Programme)).scalar_one() == 0


def _evening(day: date, at: time = time(19, 30)) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def _person(session: Session, name: str, email: str) -> Person:
    # Half-built events are not flushable yet; look up without flushing them.
    with session.no_autoflush:
        person = session.execute(
            select(Person).where(Person.email == email)
        ).scalar_one_or_none()
    if person is None:
        person = Person(name=name, email=email)
        session.add(person)
    return person


def seed_demo(session: Session, today: date | None = None, site: Site | None = None
              ) -> Programme:
    """Add the demo programme with events over the coming weeks and return it.

    With the ``site`` (whose secret makes the personal feedback links), a finished
    series with its feedback, and a drop-in whose participant is asked next.
    """
    today = today or datetime.now(ZoneInfo(ZONE)).date()
    programme = Programme(
        slug="library-conversations",
        name="Library Conversations",
        description="Free, after-hours conversations for library staff across the sector.",
        timezone=ZONE,
        after_hours_start=limits.DEFAULT_AFTER_HOURS_START,
        after_hours_end=limits.DEFAULT_AFTER_HOURS_END,
        weekends_open=limits.DEFAULT_WEEKENDS_OPEN,
        sender_name="Library Conversations team",
        # A free meeting plan's limit: the 200-seat conversations are flagged for it,
        # and show the guidance for large groups.
        platform_participant_limit=100,
        contact_email="conversations@example.org",
    )
    session.add(programme)
    series = Series(
        programme=programme,
        title="Leading from any chair",
        theme="Leadership without a title",
        description="Three 30-minute conversations with people who lead from where they sit.",
        target_attendance=3,
    )
    session.add(series)

    tuesday = _next_weekday(today, 1)
    guests = [
        ("Aroha Ngata", "aroha.ngata@example.org", "Changing a library from the front desk"),
        ("Mei Lin Chen", "meilin.chen@example.org", "Data stories for small teams"),
        ("Sione Taufa", "sione.taufa@example.org", "Mentoring across institutions"),
    ]
    facilitator = _person(session, "Kate Wilson", "kate.wilson@example.org")
    conversations = []
    for week, (name, email, title) in enumerate(guests):
        event = Event(
            programme=programme, series=series, kind=EventKind.conversation, title=title,
            description=(
                f"A 30-minute conversation with **{name}**, facilitated by Kate Wilson.\n\n"
                "Bring a question; there is time for the audience in the last ten minutes."
            ),
            starts_at=_evening(tuesday + timedelta(weeks=week)), duration_minutes=30,
            timezone=ZONE, capacity=limits.DEFAULT_CAPACITY, status=EventStatus.published,
            meeting_url=f"https://meet.jit.si/mingle-demo-conversation-{week + 1}-q7x2",
            target_attendance=3,
        )
        event.roles = [
            Role(person=facilitator, kind=RoleKind.facilitator, status=InvitationStatus.accepted),
        ]
        # The first and last guests are invited as organisers do (demo_speakers).
        if week == 1:
            event.roles.insert(0, Role(person=_person(session, name, email),
                                       kind=RoleKind.guest, status=InvitationStatus.accepted))
        session.add(event)
        conversations.append(event)

    session.add(Event(
        programme=programme, kind=EventKind.showcase,
        title="Showcase: Digital Collections at Te Whare Pukapuka",
        description="One unit shows what its work looks like from the inside.",
        unit_name="Digital Collections",
        prompt_work="Digitising fragile taonga and making them findable in three languages.",
        prompt_challenges="Rights clearance, fragile originals and a two-person team.",
        prompt_direction="Community-led description and a shared regional platform.",
        starts_at=_evening(_next_weekday(today, 2) + timedelta(weeks=1), time(18, 30)),
        duration_minutes=45, timezone=ZONE, capacity=limits.DEFAULT_CAPACITY,
        status=EventStatus.published,
        meeting_url="https://meet.jit.si/mingle-demo-showcase-p3m8",
        roles=[Role(person=_person(session, "Hemi Walker", "hemi.walker@example.org"),
                    kind=RoleKind.presenter, status=InvitationStatus.accepted)],
    ))
    session.add(Event(
        programme=programme, kind=EventKind.group_meeting,
        title="Small-group discussion: cataloguing dilemmas",
        description="An intimate group of three. When it is full, join the waitlist.",
        starts_at=_evening(_next_weekday(today, 0) + timedelta(weeks=1), time(20, 0)),
        duration_minutes=45, timezone=ZONE, capacity=3, status=EventStatus.published,
        meeting_url="https://meet.jit.si/mingle-demo-small-group-z8r1",
        roles=[Role(person=facilitator, kind=RoleKind.facilitator,
                    status=InvitationStatus.accepted)],
    ))
    session.flush()
    seed_demo_pathways(session, programme, series)
    demo_ideas.seed_ideas(session, programme, datetime.now(UTC))
    seed_demo_organiser(session, programme)
    demo_speakers.seed_demo_speakers(session, (conversations[0], *guests[0][:2]),
                                     (conversations[2], *guests[2][:2]))
    if site is not None:
        demo_feedback.seed_feedback_demo(session, programme, site, datetime.now(UTC))
    seed_book_discussion(session, programme, today)
    demo_roster.seed_roster_demo(session, programme, datetime.now(UTC))
    return programme


# For a machine of one's own only: the README gives these to log in with.
DEMO_ORGANISER_EMAIL = "organiser@example.org"
DEMO_ORGANISER_PASSWORD = "mingle-demo-organiser"


def seed_demo_organiser(session: Session, programme: Programme) -> None:
    """An organiser in the demo programme's team, so a fresh install can be explored."""
    account = accounts.account_for_email(session, DEMO_ORGANISER_EMAIL)
    if account is None:
        account = accounts.create_account(session, DEMO_ORGANISER_EMAIL, "Demo Organiser",
                                          DEMO_ORGANISER_PASSWORD)
    accounts.add_member(session, account, programme)
