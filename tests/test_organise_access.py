"""Who may reach the organisers' workspace: logins, CSRF, and one team per programme."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from events import idea_merges
from events.briefings import Briefing
from events.discussions import forming, planning
from events.discussions.models import BookDiscussion, DiscussionGroup, SignUp
from events.discussions.signing_up import Wishes, sign_up
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind
from events.idea_comments import IdeaComment
from events.idea_merges import IdeaMerge
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)
from events.pending_invitations import PendingInvitation
from events.resources import Resource, ResourceAudience, ResourceKind, ResourceTiming
from tests.test_auth import csrf, log_in, make_organiser
from tests.test_discussions import make_discussion


@dataclass
class Things:
    """One of everything a workspace address can name, all in one programme."""

    programme: Programme
    series: Series
    event: Event
    role: Role
    registration: Registration
    briefing: Briefing
    resource: Resource
    idea: Idea
    comment: IdeaComment
    merge: IdeaMerge
    discussion: BookDiscussion
    sign_up: SignUp
    pending: PendingInvitation

    def ids(self) -> dict[str, int]:
        return {"programme_id": self.programme.id, "series_id": self.series.id,
                "event_id": self.event.id, "role_id": self.role.id,
                "registration_id": self.registration.id, "briefing_id": self.briefing.id,
                "resource_id": self.resource.id, "idea_id": self.idea.id,
                "comment_id": self.comment.id, "merge_id": self.merge.id,
                "discussion_id": self.discussion.id, "group_id": self.discussion_group.id,
                "sign_up_id": self.sign_up.id, "pending_id": self.pending.id}

    @property
    def discussion_group(self) -> DiscussionGroup:
        return forming.candidate_groups(object_session(self.discussion), self.discussion)[0]


def make_things(session: Session, slug: str) -> Things:
    programme = Programme(slug=slug, name=f"Programme {slug}", timezone="Pacific/Auckland")
    series = Series(programme=programme, title=f"Series {slug}", target_attendance=3)
    session.add_all([programme, series])
    session.flush()
    event = Event(programme=programme, series=series, kind=EventKind.conversation,
                  title=f"Event {slug}", starts_at=datetime.now(UTC) + timedelta(days=7),
                  timezone="Pacific/Auckland", status=EventStatus.published,
                  meeting_url="https://meet.example.net/room")
    person = Person(name=f"Person {slug}", email=f"person-{slug}@example.org")
    role = Role(event=event, person=person, kind=RoleKind.guest)
    registration = Registration(event=event, person=person,
                                status=RegistrationStatus.waitlisted)
    briefing = Briefing(programme=programme, event=event, body="Bring one story.")
    resource = Resource(event=event, kind=ResourceKind.reading, timing=ResourceTiming.before,
                        audience=ResourceAudience.public, title=f"Reading {slug}")
    pending = PendingInvitation(event=event, kind=RoleKind.facilitator,
                                name=f"Pending {slug}", email=f"pending-{slug}@example.org")
    session.add_all([event, role, registration, briefing, resource, pending])
    board = IdeaBoard(programme=programme, mode=BoardMode.topics,
                      opens_at=datetime.now(UTC) - timedelta(days=1))
    idea, twin = (Idea(board=board, kind=IdeaKind.topic, title=f"{title} {slug}", proposer=person)
                  for title in ("Idea", "Twin"))
    session.add_all([board, idea, twin])
    session.flush()
    comment = IdeaComment(idea_id=idea.id, person=person, body="A comment")
    session.add(comment)
    merge = idea_merges.merge(session, twin, idea.id)
    session.commit()
    discussion = make_discussion(session, programme)
    planning.offer_groups_for_every_thread_and_slot(session, discussion)
    signed = sign_up(session, discussion.id, f"Reader {slug}", f"reader-{slug}@example.org",
                     Wishes([discussion.slots[0].id])).sign_up
    session.commit()
    return Things(programme, series, event, role, registration, briefing, resource, idea, comment,
                  merge, discussion, signed, pending)


def organise_routes(app: Flask) -> Iterator[tuple[str, str, list[str]]]:
    """(endpoint, method, argument names) of every /organise route."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organise"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, sorted(rule.arguments)


def url_for_rule(app: Flask, endpoint: str, ids: dict[str, int], arguments: list[str]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **{name: ids[name] for name in arguments})


def counts(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                 for model in (Programme, Series, Event, Role, Registration, Briefing, Idea,
                               IdeaComment, IdeaMerge, PendingInvitation))


def test_the_walk_covers_every_kind_of_workspace_route(app: Flask) -> None:
    routes = list(organise_routes(app))
    assert len({endpoint for endpoint, _, _ in routes}) >= 20
    assert {method for _, method, _ in routes} == {"GET", "POST"}


def test_every_workspace_route_sends_anonymous_visitors_to_login(
        app: Flask, client: FlaskClient, session: Session) -> None:
    things = make_things(session, "a")
    before = counts(session)
    token = csrf(client)
    for endpoint, method, arguments in organise_routes(app):
        url = url_for_rule(app, endpoint, things.ids(), arguments)
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert counts(session) == before


def test_every_workspace_post_without_a_valid_csrf_token_is_refused(
        app: Flask, client: FlaskClient, session: Session) -> None:
    things = make_things(session, "a")
    make_organiser(session, admin=True)
    log_in(client)
    before = counts(session)
    posts = [(endpoint, arguments) for endpoint, method, arguments in organise_routes(app)
             if method == "POST"]
    assert len(posts) >= 10
    for endpoint, arguments in posts:
        url = url_for_rule(app, endpoint, things.ids(), arguments)
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.post(url, data={**data, "status": "published",
                                              "title": "Changed", "reason": "x"})
            assert response.status_code == 400, url
    assert counts(session) == before
    session.refresh(things.event)
    assert things.event.title == "Event a" and things.event.status == EventStatus.published


def test_an_organiser_cannot_see_or_change_another_programme(
        app: Flask, client: FlaskClient, session: Session) -> None:
    mine = make_things(session, "mine")
    theirs = make_things(session, "theirs")
    make_organiser(session, programme=mine.programme)
    token = log_in(client)

    home = client.get("/organise/").get_data(as_text=True)
    assert "Programme mine" in home and "Programme theirs" not in home
    before = counts(session)
    for endpoint, method, arguments in organise_routes(app):
        if not arguments:
            continue
        url = url_for_rule(app, endpoint, theirs.ids(), arguments)
        response = client.open(url, method=method,
                               data={"csrf_token": token, "status": "published",
                                     "title": "Taken over", "reason": "mine now",
                                     "mark": f"attended:{theirs.registration.id}",
                                     "email": "me@example.org", "name": "Me",
                                     "kind": "guest"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert "Event theirs" not in response.get_data(as_text=True)
    assert counts(session) == before
    session.refresh(theirs.event)
    session.refresh(theirs.registration)
    assert theirs.event.title == "Event theirs"
    assert theirs.event.status == EventStatus.published
    assert theirs.registration.status == RegistrationStatus.waitlisted
    session.refresh(theirs.role)
    session.refresh(theirs.briefing)
    session.refresh(theirs.merge)
    assert theirs.role.status == InvitationStatus.invited and theirs.role.invited_at is None
    assert theirs.briefing.body == "Bring one story."
    assert theirs.merge.undone_at is None and theirs.comment.hidden_at is None
    # Their own things still answer.
    assert client.get(f"/organise/events/{mine.event.id}").status_code == 200


@pytest.mark.parametrize("path", ["/organise/programmes/{p}", "/organise/events/{e}",
                                  "/organise/events/{e}/roster",
                                  "/organise/programmes/{p}/dashboard"])
def test_an_admin_sees_every_programme(client: FlaskClient, session: Session,
                                       path: str) -> None:
    things = make_things(session, "any")
    make_organiser(session, admin=True)
    log_in(client)
    url = path.format(p=things.programme.id, e=things.event.id)
    assert client.get(url).status_code == 200
