"""A seeded world for the form fuzzer: the demo programme plus one participant who holds
every kind of personal link, so that each state-changing route can be reached with real
ids and tokens; and a copy of every table, to compare with and to restore."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from events import (
    access,
    accounts,
    booking,
    briefings,
    co_organisers,
    demo,
    feedback,
    idea_merges,
    idea_news,
    roster,
    schema,
    speaker_access,
)
from events.discussions import meetings
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMember,
    GroupStatus,
    SignUp,
)
from events.discussions.signing_up import Wishes, sign_up
from events.idea_boards import Idea, IdeaKind
from events.idea_comments import IdeaComment
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
)
from events.pending_invitations import PendingInvitation
from events.resources import Resource
from events.site import Site
from events.verified_browsers import AddressCheck, check_token
from webapp.extensions import db

PARTICIPANT = ("Fuzz Participant", "fuzz.participant@example.org")
NEW_ORGANISER = "new.organiser@example.org"
# Every table's rows, by table name, in primary-key order.
Tables = dict[str, list[dict[str, Any]]]


@dataclass
class World:
    """The ids and tokens a state-changing route may name."""

    ids: dict[str, int]
    slug: str
    # Personal links, by the first part of the path they open.
    tokens: dict[str, str]
    organiser: tuple[str, str] = (demo.DEMO_ORGANISER_EMAIL, demo.DEMO_ORGANISER_PASSWORD)
    rows: Tables = field(default_factory=dict)

    def values_for(self, rule: Rule) -> dict[str, Any]:
        """Real values for each argument of ``rule``; KeyError names one it cannot fill."""
        values: dict[str, Any] = {}
        for name in rule.arguments:
            if name == "slug":
                values[name] = self.slug
            elif name == "token":
                values[name] = self.tokens[_token_kind(rule.rule)]
            elif name in self.ids:
                values[name] = self.ids[name]
            else:
                choices = re.search(rf"<any\(([^)]*)\):{name}>", rule.rule)
                if choices is None:
                    raise KeyError(f"{rule.rule}: the fuzzer's world has no value for <{name}>")
                values[name] = choices.group(1).split(",")[0].strip()
        return values


def _token_kind(path: str) -> str:
    for prefix in ("/programmes/<slug>/ideas/confirm", "/ideas/stop", "/login/reset",
                   "/invitations", "/feedback", "/speaker", "/me"):
        if path.startswith(prefix + "/<token>"):
            return prefix
    raise KeyError(f"{path}: the fuzzer's world has no token for this route")


def seed(session: Session, site: Site) -> World:
    """The demo, and one participant with a place, a past place, a discussion sign-up,
    an invitation as guest, and links to reset, join a team and confirm an address."""
    # Without the feedback history (hundreds of rows to compare after every request).
    programme = demo.seed_demo(session)
    name, email = PARTICIPANT
    role = session.scalars(select(Role).join(Event).where(
        Role.status == InvitationStatus.invited, Event.programme_id == programme.id)
        .order_by(Role.id).limit(1)).one()
    event = role.event
    place = booking.register(session, event.id, name, email).registration
    person = place.person
    # A place at an evening that ended an hour ago, marked attended: a feedback form.
    past = Event(programme=programme, series=event.series, kind=EventKind.conversation,
                 title="An evening just over", starts_at=datetime.now(UTC) - timedelta(hours=2),
                 duration_minutes=60, timezone=programme.timezone, capacity=10,
                 status=EventStatus.published)
    session.add(past)
    session.flush()
    attended = booking.register(session, past.id, name, email,
                                now=past.starts_at - timedelta(days=2)).registration
    roster.mark(session, past, [attended.id], RegistrationStatus.attended)

    discussion = session.scalars(select(BookDiscussion).order_by(BookDiscussion.id)).first()
    assert discussion is not None
    thread, slot = discussion.threads[0], discussion.slots[0]
    signed = sign_up(session, discussion.id, name, email,
                     Wishes([slot.id], [thread.id])).sign_up
    # A running group with its weekly meetings, the participant in it.
    group = DiscussionGroup(discussion_id=discussion.id, thread_id=thread.id, slot_id=slot.id,
                            name="Fuzzers, Tuesday", status=GroupStatus.running)
    session.add(group)
    session.flush()
    session.add(GroupMember(sign_up_id=signed.id, group_id=group.id))
    meetings.open_group(session, discussion, group)

    organiser = accounts.account_for_email(session, demo.DEMO_ORGANISER_EMAIL)
    assert organiser is not None
    # A reset request is only queued; the worker's step makes the reset its link names.
    accounts.request_password_reset(session, organiser.email)
    session.flush()
    queued = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "password_reset").order_by(OutboxMessage.id.desc())).first()
    assert queued is not None and accounts.prepare_reset(session, queued)
    reset = session.get(accounts.PasswordReset, queued.context["password_reset_id"])
    assert reset is not None
    invitation = co_organisers.invite_co_organiser(session, organiser, programme, NEW_ORGANISER)
    ideas = list(session.scalars(select(Idea).where(Idea.kind == IdeaKind.challenge)
                                 .order_by(Idea.id)))
    merge = idea_merges.merge(session, ideas[-1], ideas[0].id)
    comment = IdeaComment(idea_id=ideas[0].id, person_id=person.id, body="A comment")
    check = AddressCheck(board_id=ideas[0].board_id, person_id=person.id, actions=[],
                         expires_at=datetime.now(UTC) + timedelta(hours=12))
    briefing = briefings.write_briefing(session, event, "event", "Bring a question.")
    session.add_all([comment, check])
    session.flush()
    # Someone the organisers mean to invite, not asked yet.
    pending = PendingInvitation(event_id=event.id, kind=RoleKind.assistant, name="Pat Pending",
                                email="pat.pending@example.org")
    session.add(pending)
    speaker_link = speaker_access.link_for(session, role.person)
    tokens = {
        "/me": access.issue_manage_token(session, site, person),
        "/feedback": feedback.token(site, attended.id),
        "/speaker": speaker_access.issue_speaker_token(session, site, speaker_link),
        "/login/reset": accounts.password_reset_token(site, reset),
        "/invitations": co_organisers.invitation_token(site, invitation),
        "/ideas/stop": idea_news.unsubscribe_token(site, person.id),
        "/programmes/<slug>/ideas/confirm": check_token(site, check),
    }
    resource = session.scalars(select(Resource).order_by(Resource.id)).first()
    if resource is None or resource.event_id != event.id:
        resource = Resource(event_id=event.id, position=1, kind="link", timing="before",
                            audience="public", title="Reading", url="https://example.org/r")
        session.add(resource)
    session.flush()
    ids = dict(event_id=event.id, programme_id=programme.id, series_id=event.series_id or 0,
               registration_id=place.id, role_id=role.id, briefing_id=briefing.id,
               resource_id=resource.id, idea_id=ideas[0].id, comment_id=comment.id,
               merge_id=merge.id, discussion_id=discussion.id, group_id=group.id,
               sign_up_id=signed.id, pending_id=pending.id)
    # The demo's e-mails are not what is tested: fewer rows to compare.
    session.execute(delete(OutboxMessage))
    session.commit()
    assert session.get(SignUp, signed.id) and session.get(Registration, place.id)
    return World(ids=ids, slug=programme.slug, tokens=tokens)


def read_tables(names: Iterable[str] | None = None) -> Tables:
    """Every row of every table (or of those ``names``), as committed now."""
    wanted = None if names is None else set(names)
    with db.engine.connect() as connection:
        return {table.name: [dict(row._mapping) for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in schema.metadata.sorted_tables
                if wanted is None or table.name in wanted}


# The table an INSERT, UPDATE or DELETE writes (and words that follow UPDATE elsewhere:
# FOR UPDATE, DO UPDATE SET, which name no table).
_WRITE = re.compile(r'\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)',
                    re.IGNORECASE)


class CommittedWrites:
    """The tables that committed transactions wrote to, as the engine ran them: far
    cheaper than reading every table after every request."""

    def __init__(self, engine: Engine) -> None:
        self.tables: set[str] = set()
        self._pending: dict[int, set[str]] = {}
        self._known = set(schema.metadata.tables)
        sqlalchemy_event.listen(engine, "before_cursor_execute", self._statement)
        sqlalchemy_event.listen(engine, "commit", self._commit)
        sqlalchemy_event.listen(engine, "rollback", self._rollback)

    def take(self) -> set[str]:
        """The tables written since the last call."""
        taken, self.tables = self.tables, set()
        return taken

    def _statement(self, connection: Connection, cursor: Any, statement: str, *_: Any) -> None:
        written = {name.lower() for name in _WRITE.findall(statement)} & self._known
        if written:
            self._pending.setdefault(id(connection), set()).update(written)

    def _commit(self, connection: Connection) -> None:
        self.tables |= self._pending.pop(id(connection), set())

    def _rollback(self, connection: Connection) -> None:
        self._pending.pop(id(connection), None)


def restore(rows: Tables) -> None:
    """Put every table back as ``rows`` has it."""
    tables = schema.metadata.sorted_tables
    with db.engine.begin() as connection:
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
