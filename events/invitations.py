"""An invitation to take part in an event, and the one way to move it between states.

An organiser invites a guest, facilitator, presenter or assistant
(``invited``); the person answers without an account, through their speaker
link: ``accepted`` or ``declined``. An organiser may send the invitation
again, take it back (``withdrawn``), record a yes that came by other means
(``accepted``, answered by an organiser: "accepted on behalf"), or invite
again someone who declined or was withdrawn.

``MOVES`` lists every allowed move: who may make it, and what follows — the
e-mail the person gets (an iTIP REQUEST once they are in, a CANCEL when an
accepted invitation ends), whether the invitation's own SEQUENCE grows
(``calendar.invitation_sequence``), whether unanswered reminders count again
from now, and whether the organisers must hear of it at once. ``move`` is the
only code that assigns a role's status. Answering twice is harmless: the
same answer again changes nothing but the details given with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import accounts, limits, outbox, scheduling, speaker_access
from events.calendar import invitation_sequence
from events.errors import InvalidInput, NotFound, NotOpen
from events.models import (
    Answerer,
    Event,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Person,
    Role,
    RoleKind,
    utcnow,
)
from events.people import clean_email, clean_name, clean_text, person_for

invited, accepted = InvitationStatus.invited, InvitationStatus.accepted
declined, withdrawn = InvitationStatus.declined, InvitationStatus.withdrawn
SPEAKER = frozenset({Answerer.speaker})
ORGANISER = frozenset({Answerer.organiser})
EITHER = SPEAKER | ORGANISER


@dataclass(frozen=True)
class Move:
    """What moving an invitation between two states needs and does."""

    # Who may make the move.
    by: frozenset[Answerer]
    # The e-mail the invited person gets, and its iTIP METHOD if it carries
    # their calendar entry.
    message: str
    method: str | None = None
    # RFC 5546 §2.1.4: a CANCEL, or a REQUEST that may follow one, needs a
    # higher SEQUENCE of the invitation's own.
    own_sequence_grows: bool = False
    # The invitation is (re)sent: unanswered reminders count from now.
    new_round: bool = False
    # The organisers hear of it at once (someone they counted on said no).
    tell_organisers: bool = False


MOVES: dict[tuple[InvitationStatus | None, InvitationStatus], Move] = {
    # A new invitation (``None``), or one recorded as accepted from the start.
    (None, invited): Move(ORGANISER, "speaker_invitation", new_round=True),
    (None, accepted): Move(ORGANISER, "speaker_accepted", "REQUEST"),
    # Sent again by an organiser.
    (invited, invited): Move(ORGANISER, "speaker_invitation", new_round=True),
    # The answers.
    (invited, accepted): Move(EITHER, "speaker_accepted", "REQUEST"),
    (invited, declined): Move(SPEAKER, "speaker_declined", tell_organisers=True),
    (accepted, declined): Move(SPEAKER, "speaker_declined", "CANCEL", own_sequence_grows=True,
                               tell_organisers=True),
    # A yes after a no or a withdrawal, when it came to the organisers by other means.
    (declined, accepted): Move(ORGANISER, "speaker_accepted", "REQUEST",
                               own_sequence_grows=True),
    (withdrawn, accepted): Move(ORGANISER, "speaker_accepted", "REQUEST",
                                own_sequence_grows=True),
    # Taken back by an organiser.
    (invited, withdrawn): Move(ORGANISER, "speaker_withdrawn"),
    (accepted, withdrawn): Move(ORGANISER, "speaker_withdrawn", "CANCEL",
                                own_sequence_grows=True),
    # Invited again after a no or a withdrawal; a later REQUEST must outrank
    # the CANCEL that may have gone out.
    (declined, invited): Move(ORGANISER, "speaker_invitation", own_sequence_grows=True,
                              new_round=True),
    (withdrawn, invited): Move(ORGANISER, "speaker_invitation", own_sequence_grows=True,
                               new_round=True),
}

ANSWERS = (accepted, declined)


def closed_reason(event: Event, now: datetime) -> str | None:
    """Why an invitation to ``event`` can no longer change at ``now``; ``None`` while it can."""
    if event.status == EventStatus.cancelled:
        return "This event has been cancelled."
    if event.status == EventStatus.completed or event.has_started(now):
        return "This event has already taken place."
    return None


def move(session: Session, role: Role, to: InvitationStatus, by: Answerer, now: datetime,
         *, quiet: bool = False, **context: Any) -> Role:
    """Move ``role``'s invitation to ``to`` (a new role has status ``None``), made by ``by``,
    with everything that follows (see ``MOVES``); ``context`` goes into the e-mail.

    The roles that follow it (``Role.lead_role_id``: a discussion group's later
    meetings) move with it, ``quiet``: no e-mail of their own, the lead's said it.

    Raises ``NotOpen`` with a reason for a move ``MOVES`` does not allow, one
    ``by`` may not make, or one at an event that is over or cancelled.
    """
    was = role.status if role.id is not None else None
    rule = MOVES.get((was, to))
    if rule is None or by not in rule.by:
        raise NotOpen(_refusal(was, to))
    reason = closed_reason(role.event, now)
    if reason is not None:
        raise NotOpen(reason)
    if rule.own_sequence_grows:
        role.sequence = (role.sequence or 0) + 1
    if rule.new_round:
        role.invited_at = now
        role.answered_at, role.answered_by, role.note = None, None, ""
    if to in ANSWERS:
        role.answered_at, role.answered_by = now, by
    role.status = to
    session.add(role)
    session.flush()
    if rule.message == "speaker_invitation":
        # The e-mail carries the speaker link: it must exist (issued when sent).
        speaker_access.link_for(session, role.person)
    if not quiet:
        enqueue_for_role(session, role, rule.message, rule.method,
                         was=was.value if was else None, by=by.value, **context)
        if rule.tell_organisers:
            _tell_organisers(session, role, after_accepting=was == accepted)
    for follower in session.execute(select(Role).where(Role.lead_role_id == role.id)
                                    .order_by(Role.id)).scalars():
        # Meetings already held keep their answer; only what is still to come follows.
        if follower.status != to and (follower.status, to) in MOVES \
                and closed_reason(follower.event, now) is None:
            move(session, follower, to, by, now, quiet=True)
    return role


def _refusal(was: InvitationStatus | None, to: InvitationStatus) -> str:
    if was == withdrawn:
        return "The organisers withdrew this invitation."
    if was == declined and to == accepted:
        return ("You declined this invitation. If you can come after all, please write to "
                "the organisers.")
    if was is None:
        return f"A new invitation cannot be {to.value}."
    return f"An invitation that is {was.value} cannot become {to.value}."


def enqueue_for_role(session: Session, role: Role, kind: str, method: str | None = None,
                     **context: Any) -> OutboxMessage:
    """Queue an e-mail of ``kind`` to the person invited; with ``method``, it carries their
    iTIP invitation with its SEQUENCE as of now (``calendar.invitation_sequence``)."""
    if method is not None:
        context.update(method=method,
                       sequence=invitation_sequence(role.event.sequence, role.sequence))
    return outbox.enqueue_to(session, kind, role.person.email, role.person.name,
                             event_id=role.event_id, role_id=role.id,
                             role_kind=role.kind.value, **context)


def _tell_organisers(session: Session, role: Role, after_accepting: bool) -> None:
    for account in accounts.team_of(session, role.event.programme):
        # Facts frozen now: the notice is about the speaker, sent to someone else.
        outbox.enqueue_to(session, "speaker_declined_notice", account.email,
                          account.person.name, event_id=role.event_id,
                          speaker_name=role.public_name, role_kind=role.kind.value,
                          note=role.note, after_accepting=after_accepting)


# The organisers' side -------------------------------------------------------

@dataclass
class InvitationPlan:
    """What an organiser types to invite someone."""

    kind: str
    name: str
    email: str
    # The person's own zone, if known ("" if not).
    timezone: str = ""
    message: str = ""
    # The person already said yes by other means: record it on their behalf.
    already_accepted: bool = False


@dataclass(frozen=True)
class Invited:
    """An invitation just made, and what the organiser should look at."""

    role: Role
    # The person is already engaged elsewhere at an overlapping time.
    warnings: list[str]


def invite(session: Session, event: Event, plan: InvitationPlan,
           now: datetime | None = None) -> Invited:
    """Invite a person (by name and e-mail) to take a part in ``event``.

    Someone who declined or was withdrawn for the same part is invited again;
    someone whose invitation stands is refused, with the reason.
    """
    now = now or utcnow()
    try:
        kind = RoleKind(plan.kind)
    except ValueError:
        raise InvalidInput("Choose the person's part.", field="kind") from None
    name, email = clean_name(plan.name), clean_email(plan.email)
    zone = scheduling.clean_zone(plan.timezone) if plan.timezone.strip() else None
    message = clean_text(plan.message, "message", "personal message",
                         limits.INVITATION_MESSAGE_MAX)
    person = person_for(session, email, name)
    if zone is not None:
        person.timezone = zone
    role = session.execute(
        select(Role).where(Role.event_id == event.id, Role.person_id == person.id,
                           Role.kind == kind)
    ).scalar_one_or_none()
    if role is not None and role.engaged:
        raise InvalidInput(f"{person.name} is already {role.status.value} as {kind.value} "
                           "at this event.", field="email")
    if role is None:
        role = Role(event=event, person=person, kind=kind)
    role.message = message
    to = accepted if plan.already_accepted else invited
    move(session, role, to, Answerer.organiser, now)
    return Invited(role, scheduling.double_bookings(session, event, {person.id}))


def role_at(session: Session, event: Event, role_id: int) -> Role:
    """One invitation of ``event``; any other is ``NotFound``."""
    role = session.get(Role, role_id)
    if role is None or role.event_id != event.id:
        raise NotFound("That person has no part in this event.")
    return role


def resend(session: Session, role: Role, now: datetime | None = None) -> Role:
    """Send an unanswered invitation again (its reminders count from now)."""
    return move(session, role, invited, Answerer.organiser, now or utcnow())


def withdraw(session: Session, role: Role, now: datetime | None = None) -> Role:
    """Take the invitation back; an accepted one is cancelled in the person's calendar."""
    return move(session, role, withdrawn, Answerer.organiser, now or utcnow())


def accept_on_behalf(session: Session, role: Role, now: datetime | None = None) -> Role:
    """Record a yes that reached the organisers by other means."""
    return move(session, role, accepted, Answerer.organiser, now or utcnow())


def invite_again(session: Session, role: Role, now: datetime | None = None) -> Role:
    """Invite again someone who declined or whose invitation was withdrawn."""
    return move(session, role, invited, Answerer.organiser, now or utcnow())


# The speaker's side ----------------------------------------------------------

def invitation_of(session: Session, person: Person, role_id: int) -> Role:
    """One of the person's own invitations; anyone else's is ``NotFound``."""
    role = session.get(Role, role_id)
    if role is None or role.person_id != person.id:
        raise NotFound("There is nothing at this address.")
    return role


@dataclass
class Acceptance:
    """What a speaker gives with their yes (and may change until the event)."""

    display_name: str = ""
    bio: str = ""
    listed_publicly: bool = True
    # Asked only when the event is recorded.
    recording_consent: bool | None = None
    note: str = ""
    # Their own zone ("" keeps what is known).
    timezone: str = ""
    # A showcase's three prompts (``None``: not asked).
    prompt_work: str | None = None
    prompt_challenges: str | None = None
    prompt_direction: str | None = None


PROMPTS = ("prompt_work", "prompt_challenges", "prompt_direction")


def accept(session: Session, role: Role, acceptance: Acceptance,
           now: datetime | None = None) -> Role:
    """The speaker says yes, with the details the programme needs; saying it again only
    updates the details. Refused once the event is over or the invitation withdrawn."""
    now = now or utcnow()
    details = _clean_acceptance(role, acceptance)
    if role.status != accepted:
        move(session, role, accepted, Answerer.speaker, now)
    else:
        reason = closed_reason(role.event, now)
        if reason is not None:
            raise NotOpen(reason)
    for name, value in details.items():
        target = role.event if name in PROMPTS else role.person if name == "timezone" else role
        setattr(target, name, value)
    session.flush()
    return role


def _clean_acceptance(role: Role, acceptance: Acceptance) -> dict[str, Any]:
    shown = acceptance.display_name.strip()
    details: dict[str, Any] = {
        "display_name": clean_name(shown) if shown else "",
        "bio": clean_text(acceptance.bio, "bio", "short bio", limits.BIO_MAX),
        "listed_publicly": bool(acceptance.listed_publicly),
        "note": clean_text(acceptance.note, "note", "note", limits.ANSWER_NOTE_MAX),
    }
    if role.event.recorded:
        details["recording_consent"] = bool(acceptance.recording_consent)
    if acceptance.timezone.strip():
        details["timezone"] = scheduling.clean_zone(acceptance.timezone)
    if role.answers_showcase_prompts:
        for name in PROMPTS:
            value = getattr(acceptance, name)
            if value is not None:
                details[name] = clean_text(value, name, "answer", limits.PROMPT_MAX)
    return details


def decline(session: Session, role: Role, note: object = "",
            now: datetime | None = None) -> Role:
    """The speaker says no, with an optional note for the organisers; after a yes, the
    organisers hear of it at once. Saying no again changes only the note."""
    now = now or utcnow()
    role.note = clean_text(note, "note", "note", limits.ANSWER_NOTE_MAX)
    if role.status != declined:
        move(session, role, declined, Answerer.speaker, now)
    session.flush()
    return role
