"""Taking part in a board: proposing, voting, commenting and offering help, as one call each.

A browser that has confirmed its address (``verified_browsers``) acts at
once. Anyone else gives a name and an e-mail address with their action: it is
checked now (so a mistake shows at once, not after the e-mail), kept, and done
when they follow the link sent to that address (``confirm``). Every action
checks the programme's allow-list of e-mail domains first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from events import (
    allowed_domains,
    help_offers,
    idea_comments,
    ideas,
    verified_browsers,
    votes,
)
from events.errors import DomainError, InvalidInput, NotOpen
from events.idea_boards import Idea, IdeaBoard
from events.models import Person, utcnow
from events.people import clean_email, clean_name, person_for
from events.signed_links import small_id
from events.site import Site
from events.verified_browsers import VerifiedBrowser

PROPOSE, VOTE, UNVOTE, HELP, UNHELP, COMMENT = (
    "propose", "vote", "unvote", "help", "unhelp", "comment")
DOES = (PROPOSE, VOTE, UNVOTE, HELP, UNHELP, COMMENT)


@dataclass(frozen=True)
class Action:
    """One thing a person asks to do on a board, as data that can wait for a link."""

    does: str
    idea_id: int | None = None
    # What was typed: kind, title, body, challenge_id, show_full_name (proposing),
    # role (offering help), body (commenting).
    values: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {"does": self.does, "idea_id": self.idea_id, "values": dict(self.values)}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Action:
        does = data.get("does")
        if does not in DOES:
            raise InvalidInput("That is not something one can do on a board.")
        idea_id = data.get("idea_id")
        return cls(does, idea_id if isinstance(idea_id, int) else None,
                   dict(data.get("values") or {}))


@dataclass(frozen=True)
class Outcome:
    """What came of an action: done now, or waiting for the link e-mailed to ``email``."""

    done: bool
    message: str
    idea: Idea | None = None
    email: str = ""


def take_part(session: Session, board: IdeaBoard, action: Action,
              browser: VerifiedBrowser | None, name: object = None, email: object = None,
              now: datetime | None = None) -> Outcome:
    """Do ``action`` for the browser's person, or keep it for the address given."""
    now = now or utcnow()
    if browser is not None:
        allowed_domains.check(board.programme, browser.person.email, "ideas board is")
        message, idea = perform(session, board, browser.person, action, now)
        return Outcome(True, message, idea)
    address, person_name = clean_email(email), clean_name(name)
    allowed_domains.check(board.programme, address, "ideas board is")
    person = person_for(session, address, person_name)
    _try(session, board, person, action, now)
    sent = verified_browsers.keep_for_link(session, board, person, action.as_data(), now)
    message = (f"We have sent a link to {address}. Follow it within a day to confirm your "
               "address: then this counts, and this browser can take part for 30 days."
               if sent else
               f"This will count too once you follow the link we sent to {address} a moment "
               "ago.")
    return Outcome(False, message, email=address)


def _try(session: Session, board: IdeaBoard, person: Person, action: Action,
         now: datetime) -> None:
    """Refuse now whatever ``action`` would be refused for after confirming; keep nothing."""
    trial = session.begin_nested()
    try:
        perform(session, board, person, action, now)
    finally:
        trial.rollback()


def perform(session: Session, board: IdeaBoard, person: Person, action: Action,
            now: datetime) -> tuple[str, Idea | None]:
    """Do the action as ``person``; returns what to tell them and the idea concerned."""
    if action.does == PROPOSE:
        values = action.values
        idea = ideas.propose(session, board, person, values.get("kind"), values.get("title"),
                             values.get("body", ""), small_id(str(values.get("challenge_id"))),
                             bool(values.get("show_full_name")), now)
        return f"Your {idea.kind.value} “{idea.title}” is on the board.", idea
    idea = ideas.idea_on_board(session, board, action.idea_id or 0)
    if action.does == COMMENT:
        idea_comments.comment(session, idea, person, action.values.get("body"), now)
        return "Your comment is on the board.", idea
    if action.does in (VOTE, UNVOTE):
        reason = board.closed_reason(idea.kind, now)
        if reason is not None:
            raise NotOpen(reason)
    idea = ideas.lock_idea(session, idea.id)
    if action.does == UNVOTE:
        withdrawn = votes.withdraw(session, idea, person)
        return ("Your vote is withdrawn: you may give it to another."
                if withdrawn else "You had no vote here to withdraw."), idea
    if action.does == UNHELP:
        help_offers.withdraw(session, idea, person)
        return "Your offer of help is withdrawn.", idea
    if not idea.takes_votes:
        raise NotOpen("This idea is no longer open for votes or offers of help.")
    if action.does == VOTE:
        message = ("Your vote counts." if votes.cast(session, idea, person, now)
                   else "You had already voted for this.")
    else:
        help_offers.offer(session, idea, person, action.values.get("role"), now)
        message = "Thank you for offering to help: the organisers will be in touch."
    ideas.mark_ready_if_due(session, idea, now)
    return message, idea


@dataclass(frozen=True)
class Confirmed:
    """A confirmed address: the browser now acting for it, and what came of each action kept."""

    browser: VerifiedBrowser
    board: IdeaBoard
    # What came of each action kept: (done, what to tell the person).
    outcomes: list[tuple[bool, str]]


def confirm(session: Session, site: Site, token: str, now: datetime | None = None) -> Confirmed:
    """Follow a confirmation link: the browser acts for the address from now on, and the
    actions kept for it are done (each on its own: one refused leaves the others)."""
    now = now or utcnow()
    check = verified_browsers.check_for_token(session, site, token, now)
    browser = verified_browsers.open_browser(session, check, now)
    outcomes = []
    if check.used_at is None:
        check.used_at = now
        session.flush()
        for data in check.actions:
            attempt = session.begin_nested()
            try:
                action = Action.from_data(data)
                allowed_domains.check(check.board.programme, check.person.email,
                                      "ideas board is")
                outcomes.append((True, perform(session, check.board, check.person, action,
                                               now)[0]))
                attempt.commit()
            except DomainError as refusal:
                attempt.rollback()
                outcomes.append((False, refusal.message))
    return Confirmed(browser, check.board, outcomes)
