"""Forgetting a person: at their own request, or after a long silence.

What is kept is what the programme's reports count: the person's row (with
no e-mail and no name), their past registrations and their statuses (so a
seat, an attendance and a no-show still count), their votes, offers of help
and comments (under "Someone forgotten"), and any feedback answers, detached
from the registration so that nothing joins them to anyone. What goes is
everything that says who they were or lets anyone reach them: the address
and name, links, browsers confirmed for them, every e-mail to them in the
outbox (sent or not), their address written beside someone else's sign-up,
and their places at events still to come (given back, so the waitlist moves
on).

People with an organiser's account, or a part at an event (guest,
facilitator, presenter), are known to others by name and are not forgotten
here: an organiser removes them first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from events import booking, limits
from events.accounts import Account
from events.discussions.models import SignUp
from events.errors import NotOpen
from events.feedback_models import FeedbackAnswers
from events.help_offers import HelpOffer
from events.idea_boards import Idea
from events.idea_comments import IdeaComment
from events.idea_news import IdeaNewsOptOut
from events.login_guard import LoginFailures
from events.models import (
    Event,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    new_manage_nonce,
    utcnow,
)
from events.people import add_once
from events.verified_browsers import AddressCheck, VerifiedBrowser
from events.votes import Vote

FORGOTTEN_NAME = "Someone forgotten"


def forgotten_address(person_id: int) -> str:
    """What stands in the e-mail column of a forgotten person: unique, and no
    address at all, so nobody can type it in and nothing can be sent to it."""
    return f"forgotten-{person_id}"


def reachable(address: str) -> bool:
    """Whether an e-mail can go to this stored address (a forgotten person's cannot)."""
    return "@" in address


def forget(session: Session, person: Person, now: datetime | None = None) -> None:
    """Forget ``person`` (see the module's docstring); ``NotOpen`` for an organiser
    or a speaker. Forgetting twice changes nothing."""
    now = now or utcnow()
    if person.forgotten_at is not None:
        return
    if _is_known_by_name(session, person.id):
        raise NotOpen("You are an organiser or a speaker at an event, so the organisers "
                      "know you by name: please ask them to remove you.")
    email = person.email
    upcoming = session.execute(
        select(Registration.id).join(Registration.event)
        .where(Registration.person_id == person.id, Event.starts_at > now,
               Registration.status.in_((RegistrationStatus.confirmed,
                                        RegistrationStatus.waitlisted)))
    ).scalars().all()
    for registration_id in upcoming:
        booking.cancel(session, registration_id, now)
    mine = select(Registration.id).where(Registration.person_id == person.id)
    session.execute(update(FeedbackAnswers).where(FeedbackAnswers.registration_id.in_(mine))
                    .values(registration_id=None).execution_options(synchronize_session=False))
    session.execute(update(SignUp).where(SignUp.with_email == email).values(with_email="")
                    .execution_options(synchronize_session=False))
    session.execute(delete(OutboxMessage).where(or_(
        OutboxMessage.person_id == person.id, OutboxMessage.registration_id.in_(mine),
        OutboxMessage.recipient_email == email)).execution_options(synchronize_session=False))
    for model in (VerifiedBrowser, AddressCheck):
        session.execute(delete(model).where(model.person_id == person.id)
                        .execution_options(synchronize_session=False))
    session.execute(delete(LoginFailures).where(LoginFailures.email == email)
                    .execution_options(synchronize_session=False))
    # Idea news would otherwise still be written to them.
    add_once(session, IdeaNewsOptOut, person_id=person.id, created_at=now)
    person.email = forgotten_address(person.id)
    person.name = FORGOTTEN_NAME
    person.manage_nonce = new_manage_nonce()
    person.manage_token_hash = None
    person.timezone = None
    person.forgotten_at = now
    session.flush()


def _is_known_by_name(session: Session, person_id: int) -> bool:
    return session.execute(select(
        exists().where(Account.person_id == person_id)
        | exists().where(Role.person_id == person_id))).scalar_one()


def inactive_since(cutoff: datetime) -> ColumnElement[bool]:
    """The rule "did nothing since ``cutoff``" for a person, in SQL: no registration
    touched, no event of theirs held, no idea, vote, offer, comment or sign-up since;
    never an organiser or a speaker; not forgotten already."""
    person = Person.id
    return and_(
        Person.forgotten_at.is_(None), Person.created_at < cutoff,
        ~exists().where(Account.person_id == person),
        ~exists().where(Role.person_id == person),
        ~exists().where(Registration.person_id == person,
                        or_(Registration.updated_at >= cutoff,
                            Registration.event.has(Event.starts_at >= cutoff))),
        ~exists().where(Idea.proposer_id == person, Idea.created_at >= cutoff),
        ~exists().where(Vote.person_id == person, Vote.created_at >= cutoff),
        ~exists().where(HelpOffer.person_id == person, HelpOffer.created_at >= cutoff),
        ~exists().where(IdeaComment.person_id == person, IdeaComment.created_at >= cutoff),
        ~exists().where(SignUp.person_id == person, SignUp.created_at >= cutoff),
    )


def purge_inactive(session: Session, inactive_for: timedelta = limits.FORGET_INACTIVE_AFTER,
                   now: datetime | None = None) -> int:
    """Forget everyone inactive for ``inactive_for``; returns how many."""
    now = now or utcnow()
    if inactive_for < timedelta(days=1):
        raise NotOpen("Keep people for a day at least.")
    people = session.execute(select(Person).where(inactive_since(now - inactive_for))
                             .order_by(Person.id)).scalars().all()
    for person in people:
        forget(session, person, now)
    # Addresses typed at the login form, with an account or not, are kept only
    # for the burst of failures they belong to.
    session.execute(delete(LoginFailures).where(
        LoginFailures.last_failed_at < now - limits.LOGIN_FAILURES_FORGOTTEN_AFTER))
    return len(people)
