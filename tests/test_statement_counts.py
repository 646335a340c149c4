"""No page runs one query per row: every page runs as many SQL statements with ten times
the data.

Add a page with one line in ``PAGES``: its name, how to build its address from the
``World``, and (if the shared one does not grow what the page lists) a world of its
own. Each page is counted at two sizes of the same world, on each database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event as engine_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import access, feedback_settings
from events.announcements import Announcement
from events.discussions.models import GroupMember
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)
from events.resources import Resource, ResourceAudience, ResourceKind, ResourceTiming
from tests.conftest import _empty_tables, app_config
from tests.idea_world import first_idea, idea_world
from tests.test_auth import log_in, make_organiser
from tests.test_speaker_pages import speaker_world
from webapp import create_app
from webapp.extensions import db
from webapp.site import current_site

SMALL, LARGE = 5, 50


@dataclass(frozen=True)
class World:
    """What the addresses need: a programme of ``size`` events, each with ``size``
    registrations and two speakers, and one participant with a place at every event."""

    programme: Programme
    series: Series
    event: Event
    token: str
    resource_id: int


def world(session: Session, size: int) -> World:
    """The shared data, grown with ``size``."""
    published = datetime.now(UTC)
    programme = Programme(slug="counted", name="Counted", timezone="Pacific/Auckland",
                          published_at=published)
    series = Series(programme=programme, title="Counted series", target_attendance=3,
                    published_at=published)
    me = Person(name="Me", email="me@example.org")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    statuses = [RegistrationStatus.confirmed, RegistrationStatus.waitlisted,
                RegistrationStatus.cancelled]
    events = []
    for n in range(size):
        event = Event(programme=programme, series=series, kind=EventKind.conversation,
                      title=f"Event {n}", starts_at=start + timedelta(hours=n),
                      timezone="Pacific/Auckland", capacity=size, seats_taken=0,
                      status=EventStatus.published, meeting_url="https://meet.example.net/r")
        event.roles = [Role(person=Person(name=f"Guest {n}", email=f"g{n}@example.org"),
                            kind=RoleKind.guest, status=InvitationStatus.accepted),
                       Role(person=Person(name=f"Host {n}", email=f"h{n}@example.org"),
                            kind=RoleKind.facilitator, status=InvitationStatus.accepted)]
        places = [Registration(event=event, person=me, status=statuses[n % 3])]
        places += [Registration(event=event,
                                person=Person(name=f"P {n}-{k}", email=f"p{n}-{k}@example.org"),
                                status=statuses[k % 3]) for k in range(size - 1)]
        event.seats_taken = sum(place.status == RegistrationStatus.confirmed
                                for place in places)
        session.add_all(places)
        events.append(event)
        session.add(Announcement(event=event, audience="confirmed", subject=f"News {n}",
                                 body="Hello.", recipients=1))
        session.add_all(Resource(event=event, position=k, kind=ResourceKind.reading,
                                 timing=timing, audience=audience, title=f"Read {n}-{k}",
                                 url="https://example.org/read")
                        for k, (timing, audience) in enumerate(
                            (timing, audience) for timing in ResourceTiming
                            for audience in ResourceAudience))
        session.add(OutboxMessage(kind="announcement", recipient_email=me.email,
                                  event=event, context={"announcement_id": n}))
    session.add(programme)
    session.flush()
    token = access.issue_manage_token(session, current_site(), me)
    session.commit()
    first_resource = session.scalars(select(Resource.id).where(Resource.event_id == events[0].id)
                                     .order_by(Resource.id)).first()
    return World(programme, series, events[0], token, first_resource or 0)


def feedback_world(session: Session, size: int) -> World:
    """A named series of ``size`` events that ended three days ago, each with people who
    came and answered (rating themselves on two outcomes), a no-show, and a follow-up;
    ``token`` is the feedback link of the first event's first person."""
    from events import feedback
    from events.feedback import (
        ComeAgain,
        FeedbackAnswers,
        FeedbackRequest,
        Obstacle,
        Purpose,
        Questions,
        SelfAssessment,
        Used,
    )

    programme = Programme(slug="felt", name="Felt", timezone="Pacific/Auckland")
    series = Series(programme=programme, title="Felt series", target_attendance=3)
    session.add_all([programme, series])
    session.flush()
    feedback_settings.save_settings(session, series, feedback_settings.SettingsPlan(
        automatic=True, named=True, delay_minutes=0, remind_at=time(19, 0),
        outcomes=["I feel confident", "I know where to find help"]))
    outcomes = feedback_settings.outcomes_of(session, series.id)
    site = current_site()
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    places = []
    for n in range(size):
        event = Event(programme=programme, series=series, kind=EventKind.conversation,
                      title=f"Felt {n}", starts_at=ended - timedelta(hours=n, minutes=30),
                      timezone="Pacific/Auckland", capacity=size, seats_taken=size // 4 + 3,
                      status=EventStatus.completed)
        # People per event grow too, more slowly: tenfold in both would be slow to write.
        came = [Registration(event=event, person=Person(name=f"F {n}-{k}",
                                                        email=f"f{n}-{k}@example.org"),
                             status=RegistrationStatus.attended)
                for k in range(size // 4 + 2)]
        missed = Registration(event=event, person=Person(name=f"M {n}", email=f"m{n}@ex.org"),
                              status=RegistrationStatus.no_show)
        session.add_all([*came, missed])
        places += [(place, Purpose.after_event) for place in [*came, missed]]
        places.append((came[0], Purpose.follow_up))
    session.flush()
    for place, purpose in places:
        session.add(FeedbackRequest(registration_id=place.id, purpose=purpose, asked_at=ended,
                                    closes_at=ended + timedelta(days=14)))
    # Written as ``feedback.answer`` writes them (its own tests show that), but in bulk.
    for place, purpose in places[1:]:
        key = feedback.locator(feedback.token(site, place.id), purpose)
        if purpose == Purpose.follow_up:
            values: dict[str, object] = {"questions": Questions.follow_up, "used": Used.yes,
                                         "how": "Shared it"}
        elif place.status == RegistrationStatus.no_show:
            values = {"questions": Questions.no_show, "obstacle": Obstacle.work}
        else:
            values = {"questions": Questions.evening, "rating": 4, "worked": "Good",
                      "better": "More", "come_again": ComeAgain.yes, "may_quote": True}
            session.add_all(SelfAssessment(locator=key, outcome_id=outcome.id, before=2, now=4)
                            for outcome in outcomes)
        session.add(FeedbackAnswers(locator=key, event_id=place.event_id,
                                    registration_id=place.id, **values))
    session.commit()
    first = places[0][0]
    return World(programme, series, first.event, feedback.token(site, first.id), 0)


@dataclass(frozen=True)
class DiscussionWorld:
    """Two book discussions of ``size / 5`` groups of six (1 and 10: ten times the data
    again): one with a draft grouping, one published with attendance marked, and the
    token of one of its members."""

    programme: Programme
    draft: int
    running: int
    group: int
    token: str


def discussion_world(session: Session, size: int) -> DiscussionWorld:
    from events.discussions import attendance, forming, meetings, membership, planning
    from events.discussions.signing_up import Wishes, sign_up
    from events.grouping import Proposal
    from tests.test_discussions import make_discussion

    def round_robin(participants: Any, candidates: Any, *_: Any, **__: Any) -> Proposal:
        groups = [candidate.id for candidate in candidates]
        return Proposal({p.id: groups[n // 6 % len(groups)] for n, p in enumerate(participants)},
                        (), {})

    programme = Programme(slug="counted", name="Counted", timezone="Pacific/Auckland")
    session.add(programme)
    session.commit()
    made = []
    size = max(1, size // 5)
    for name in ("draft", "running"):
        discussion = make_discussion(session, programme, threads=["Craft", "Place"])
        for n in range(6 * size):
            sign_up(session, discussion.id, f"{name} {n}", f"{name}{n}@example.org",
                    Wishes([discussion.slots[n % 3].id], [discussion.threads[n % 2].id],
                           shares_first_name=n % 2 == 0))
        for n in range(size):
            planning.save_group(session, discussion, planning.GroupPlan(
                discussion.threads[n % 2].id, discussion.slots[0].id, f"Host {n}",
                f"host{n}@example.org"))
        forming.form(session, discussion, forming.ConcessionsPlan(), solve=round_robin)
        made.append(discussion)
    membership.publish(session, made[1], solve=round_robin)
    groups = attendance.running_groups(session, made[1])
    for group in groups:
        members = [m.id for m in meetings.active_members(session, group)]
        attendance.mark(session, group, 1, members[:4])
    member = session.scalars(select(GroupMember).where(
        GroupMember.group_id == groups[0].id)).first()
    token = access.issue_manage_token(session, current_site(), member.sign_up.person)
    session.commit()
    return DiscussionWorld(programme, made[0].id, made[1].id, groups[0].id, token)


def roster_world(session: Session, size: int) -> World:
    """One event that has begun, with ``40 * size`` registrations (2,000 at the larger
    size) in every status: the roster shows them in pages."""
    published = datetime.now(UTC)
    programme = Programme(slug="crowded", name="Crowded", timezone="Pacific/Auckland",
                          published_at=published)
    series = Series(programme=programme, title="Crowded series", published_at=published)
    event = Event(programme=programme, series=series, kind=EventKind.webinar, title="Big room",
                  starts_at=published - timedelta(minutes=10), timezone="Pacific/Auckland",
                  capacity=1000, status=EventStatus.published,
                  meeting_url="https://meet.example.net/r")
    statuses = [RegistrationStatus.confirmed, RegistrationStatus.attended,
                RegistrationStatus.no_show, RegistrationStatus.waitlisted,
                RegistrationStatus.cancelled]
    places = [Registration(event=event, person=Person(name=f"Person {k}",
                                                      email=f"person{k}@example.org"),
                           status=statuses[k % 5], queue_number=k) for k in range(40 * size)]
    event.seats_taken = sum(place.holds_seat for place in places)
    session.add(programme)
    session.add_all(places)
    session.commit()
    return World(programme, series, event, "", 0)


@dataclass(frozen=True)
class Page:
    name: str
    address: Callable[[World], str]
    organiser: bool = False
    data: Callable[[Session, int], Any] = world
    # A page of fixed text asks the database nothing at all.
    reads_nothing: bool = False


PAGES = [
    Page("home", lambda w: "/"),
    Page("event page", lambda w: f"/events/{w.event.id}"),
    Page("event download", lambda w: f"/events/{w.event.id}.ics"),
    Page("API list", lambda w: "/api/v1/events"),
    Page("API event", lambda w: f"/api/v1/events/{w.event.id}"),
    Page("feed of everything", lambda w: "/calendar.ics"),
    Page("programme feed", lambda w: f"/programmes/{w.programme.slug}/calendar.ics"),
    Page("series feed", lambda w: f"/series/{w.series.id}/calendar.ics"),
    Page("programme page", lambda w: f"/programmes/{w.programme.slug}"),
    Page("series page", lambda w: f"/series/{w.series.id}/counted-series"),
    Page("manage page", lambda w: f"/me/{w.token}"),
    Page("participants' help", lambda w: "/help", reads_nothing=True),
    Page("organisers' help", lambda w: "/organise/help", organiser=True),
    Page("personal feed", lambda w: f"/me/{w.token}/calendar.ics"),
    Page("forget me", lambda w: f"/me/{w.token}/forget"),
    Page("workspace", lambda w: "/organise/", organiser=True),
    Page("programme", lambda w: f"/organise/programmes/{w.programme.id}", organiser=True),
    Page("programme form", lambda w: f"/organise/programmes/{w.programme.id}/edit",
         organiser=True),
    Page("programme dashboard", lambda w: f"/organise/programmes/{w.programme.id}/dashboard",
         organiser=True),
    Page("programme dashboard CSV",
         lambda w: f"/organise/programmes/{w.programme.id}/dashboard.csv", organiser=True),
    Page("series dashboard", lambda w: f"/organise/series/{w.series.id}/dashboard",
         organiser=True),
    Page("event (organiser)", lambda w: f"/organise/events/{w.event.id}", organiser=True),
    Page("resource form",
         lambda w: f"/organise/events/{w.event.id}/resources/{w.resource_id}/edit",
         organiser=True),
    Page("event form", lambda w: f"/organise/events/{w.event.id}/edit", organiser=True),
    Page("new event: its kind", lambda w: f"/organise/programmes/{w.programme.id}/events/new",
         organiser=True),
    Page("new event form", lambda w: f"/organise/programmes/{w.programme.id}/events/new"
         "?kind=group_meeting", organiser=True),
    Page("duplicate form", lambda w: f"/organise/events/{w.event.id}/duplicate",
         organiser=True),
    Page("roster", lambda w: f"/organise/events/{w.event.id}/roster", organiser=True),
    Page("roster of thousands", lambda w: f"/organise/events/{w.event.id}/roster",
         organiser=True, data=roster_world),
    Page("roster of thousands, waitlist",
         lambda w: f"/organise/events/{w.event.id}/roster?show=waitlisted&page=2",
         organiser=True, data=roster_world),
    Page("roster of thousands, search",
         lambda w: f"/organise/events/{w.event.id}/roster?show=all&q=person1",
         organiser=True, data=roster_world),
    Page("removal confirmation",
         lambda w: f"/organise/events/{w.event.id}/registrations/"
                   f"{next(r.id for r in w.event.registrations if r.person.name == 'Me')}"
                   "/remove", organiser=True),
    Page("attendance import", lambda w: f"/organise/events/{w.event.id}/attendance",
         organiser=True),
    Page("cancel event", lambda w: f"/organise/events/{w.event.id}/cancel", organiser=True),
    Page("registrations CSV", lambda w: f"/organise/events/{w.event.id}/registrations.csv",
         organiser=True),
    Page("announcements", lambda w: f"/organise/events/{w.event.id}/announcements",
         organiser=True),
    Page("briefing form", lambda w: f"/organise/events/{w.event.id}/briefings/new",
         organiser=True),
    Page("speaker page", lambda w: f"/speaker/{w.token}", data=speaker_world),
    Page("speaker feed", lambda w: f"/speaker/{w.token}/calendar.ics", data=speaker_world),
    Page("speaker invitation",
         lambda w: f"/speaker/{w.token}/invitations/{w.event.roles[0].id}", data=speaker_world),
    Page("feedback form", lambda w: f"/feedback/{w.token}", data=feedback_world),
    Page("follow-up form", lambda w: f"/feedback/{w.token}/follow-up", data=feedback_world),
    Page("series dashboard with feedback",
         lambda w: f"/organise/series/{w.series.id}/dashboard", organiser=True,
         data=feedback_world),
    Page("programme dashboard with feedback",
         lambda w: f"/organise/programmes/{w.programme.id}/dashboard", organiser=True,
         data=feedback_world),
    Page("series report", lambda w: f"/organise/series/{w.series.id}/report",
         organiser=True, data=feedback_world),
    Page("series report, one event's comments",
         lambda w: f"/organise/series/{w.series.id}/report?event={w.event.id}",
         organiser=True, data=feedback_world),
    Page("programme report", lambda w: f"/organise/programmes/{w.programme.id}/report",
         organiser=True, data=feedback_world),
    Page("series feedback CSV", lambda w: f"/organise/series/{w.series.id}/feedback.csv",
         organiser=True, data=feedback_world),
    Page("programme feedback CSV",
         lambda w: f"/organise/programmes/{w.programme.id}/feedback.csv", organiser=True,
         data=feedback_world),
    Page("series feedback settings", lambda w: f"/organise/series/{w.series.id}/feedback",
         organiser=True, data=feedback_world),
    Page("event feedback", lambda w: f"/organise/events/{w.event.id}/feedback",
         organiser=True, data=feedback_world),
    Page("ideas board", lambda w: f"/programmes/{w.programme.slug}/ideas", data=idea_world),
    Page("idea", lambda w: f"/programmes/{w.programme.slug}/ideas/{first_idea(w)}",
         data=idea_world),
    Page("ideas board (organiser)", lambda w: f"/organise/programmes/{w.programme.id}/ideas",
         organiser=True, data=idea_world),
    Page("idea (organiser)", lambda w: f"/organise/ideas/{first_idea(w)}", organiser=True,
         data=idea_world),
    Page("discussion sign-up page", lambda w: f"/discussions/{w.draft}",
         data=discussion_world),
    Page("member's group page", lambda w: f"/me/{w.token}/discussions/{w.running}",
         data=discussion_world),
    Page("manage page with discussions", lambda w: f"/me/{w.token}", data=discussion_world),
    Page("personal feed with a group's meetings", lambda w: f"/me/{w.token}/calendar.ics",
         data=discussion_world),
    Page("discussion (organiser)", lambda w: f"/organise/discussions/{w.running}",
         organiser=True, data=discussion_world),
    Page("forming page", lambda w: f"/organise/discussions/{w.draft}/forming", organiser=True,
         data=discussion_world),
    Page("group page (organiser)", lambda w: f"/organise/discussions/{w.running}/groups/{w.group}",
         organiser=True, data=discussion_world),
]


def count_statements(app: Flask, pages: list[Page], size: int) -> dict[str, int]:
    """Statements run by one request for each of ``pages`` (which share their data
    factory) in a world of ``size``. Reading never writes, so one world serves all."""
    with app.app_context():
        _empty_tables()
        data = pages[0].data(db.session, size)
        make_organiser(db.session, programme=data.programme)
        addresses = {page.name: page.address(data) for page in pages}
        db.session.remove()
        engine = db.engine
    visitor, organiser = app.test_client(), app.test_client()
    log_in(organiser)
    counts = {}
    for page in pages:
        statements: list[str] = []

        def count(*args: Any, into: list[str] = statements) -> None:
            into.append(args[2])

        engine_event.listen(engine, "before_cursor_execute", count)
        try:
            response = (organiser if page.organiser else visitor).get(addresses[page.name])
        finally:
            engine_event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (page.name, response.status_code)
        counts[page.name] = len(statements)
    return counts


@pytest.fixture(scope="module")
def counts(database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, dict[str, int]]]:
    """Every page's statement count at each size, on this database."""
    # Kept copies would hide the work; every request here builds its answer.
    app = create_app(app_config(database_url, Path(tmp_path_factory.mktemp("counts")),
                                RESPONSE_CACHE=False))
    by_factory: dict[Callable[[Session, int], World], list[Page]] = {}
    for page in PAGES:
        by_factory.setdefault(page.data, []).append(page)
    found: dict[int, dict[str, int]] = {SMALL: {}, LARGE: {}}
    for size in (SMALL, LARGE):
        for pages in by_factory.values():
            found[size].update(count_statements(app, pages, size))
    yield found
    with app.app_context():
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_page_runs_as_many_statements_with_ten_times_the_data(
        counts: dict[int, dict[str, int]], page: Page) -> None:
    small, large = counts[SMALL][page.name], counts[LARGE][page.name]
    assert small == large, f"{page.name}: {small} statements for {SMALL}, {large} for {LARGE}"
    assert (small == 0) == page.reads_nothing, f"{page.name}: {small} statements"
