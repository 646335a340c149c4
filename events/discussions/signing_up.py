"""Signing up for a book discussion: one form, one place at the kick-off, one set of wishes.

The place is the kick-off's registration (``booking.register``): a seat while
the discussion has room, else its waitlist, with the kick-off's e-mail and
invitation. The wishes (slots that suit them, threads in order, someone to
be with) wait beside it for the forming. Signing up again answers with the
sign-up already made, as an RSVP does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from events import booking, signed_links
from events.discussions.models import BookDiscussion, SignUp
from events.errors import InvalidInput, NotFound
from events.models import SEAT_HOLDING, EventStatus, Registration, RegistrationStatus
from events.people import clean_email
from events.scheduling import clean_zone


@dataclass(frozen=True)
class Wishes:
    """What a person asks of their group: ids as the form sends them (text or numbers)."""

    slot_ids: Iterable[object]
    thread_ids: Iterable[object] = ()
    with_email: object = ""
    shares_first_name: bool = True
    timezone: object = ""


@dataclass(frozen=True)
class SignedUp:
    """The sign-up, its place (confirmed or waitlisted, and where in the queue), and
    whether it is new."""

    sign_up: SignUp
    status: RegistrationStatus
    position: int | None
    created: bool


def public_discussion(session: Session, discussion_id: int) -> BookDiscussion:
    """The discussion as the public may see it (its kick-off published), or ``NotFound``."""
    discussion = session.execute(
        select(BookDiscussion).where(BookDiscussion.id == discussion_id)
        .options(selectinload(BookDiscussion.threads), selectinload(BookDiscussion.slots),
                 selectinload(BookDiscussion.programme))
    ).scalar_one_or_none()
    if discussion is None or discussion.kickoff.status == EventStatus.draft:
        raise NotFound("There is no such book discussion.")
    return discussion


def discussion_of_kickoff(session: Session, event_id: int) -> BookDiscussion | None:
    """The book discussion an event opens, if it is a kick-off: its page sends people to
    the discussion's sign-up, which places them at the kick-off with their wishes."""
    return session.execute(select(BookDiscussion).where(
        BookDiscussion.kickoff_event_id == event_id)).scalar_one_or_none()


def _ids(raw: Iterable[object], allowed: list[int], field: str) -> list[int]:
    ids = [signed_links.small_id(str(value)) for value in raw if str(value).strip()]
    if any(value not in allowed for value in ids):
        raise InvalidInput("Choose from the ones listed.", field=field)
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]


def clean_wishes(discussion: BookDiscussion, wishes: Wishes, email: str) -> dict[str, object]:
    """The wishes as stored, or a refusal naming the field at fault."""
    slots = _ids(wishes.slot_ids, [slot.id for slot in discussion.slots], "slots")
    if not slots:
        raise InvalidInput("Choose at least one meeting time that suits you.", field="slots")
    threads = _ids(wishes.thread_ids, [thread.id for thread in discussion.threads], "threads")
    partner = ""
    if isinstance(wishes.with_email, str) and wishes.with_email.strip():
        try:
            partner = clean_email(wishes.with_email)
        except InvalidInput as error:
            raise InvalidInput(error.message, field="with_email") from None
        if partner == email:
            raise InvalidInput("Give the e-mail of someone else you would like to be with.",
                               field="with_email")
    return dict(slot_ids=slots, thread_ids=threads, with_email=partner,
                shares_first_name=bool(wishes.shares_first_name))


def _zone(wishes: Wishes) -> str | None:
    """The zone the person gave, checked; ``None`` when they gave none."""
    if isinstance(wishes.timezone, str) and wishes.timezone.strip():
        return clean_zone(wishes.timezone)
    return None


def sign_up(session: Session, discussion_id: int, name: object, email: object, wishes: Wishes,
            now: datetime | None = None) -> SignedUp:
    """Sign ``email`` up once: a place at the kick-off (or its waitlist) and their wishes.

    Raises ``NotFound`` for an unknown discussion, ``NotOpen`` when its kick-off
    takes no registrations, ``InvalidInput`` for a wish that is not on offer.
    Two sign-ups from one address at once make one sign-up and one place.
    """
    discussion = public_discussion(session, discussion_id)
    values = clean_wishes(discussion, wishes, clean_email(email))
    zone = _zone(wishes)
    placed = booking.register(session, discussion.kickoff_event_id, name, email, now)
    registration = placed.registration
    if zone is not None:
        # The person's own zone, kept on the person: their meetings, their speaker
        # page and every e-mail then show times in it.
        registration.person.timezone = zone
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # An upsert: two first sign-ups from one address at once must not collide.
    created = session.execute(
        insert(SignUp).values(discussion_id=discussion.id, person_id=registration.person_id,
                              registration_id=registration.id, **values)
        .on_conflict_do_nothing(index_elements=["discussion_id", "person_id"])
        .returning(SignUp.id)
    ).scalar_one_or_none() is not None
    signed = session.execute(
        select(SignUp).where(SignUp.discussion_id == discussion.id,
                             SignUp.person_id == registration.person_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    return SignedUp(signed, placed.status, placed.position, created)


def sign_ups_of(session: Session, person_id: int) -> list[SignUp]:
    """A person's sign-ups, newest discussion first (their own page lists them)."""
    return list(session.execute(
        select(SignUp).where(SignUp.person_id == person_id)
        .options(selectinload(SignUp.discussion), selectinload(SignUp.registration))
        .order_by(SignUp.id.desc())).scalars())


def sign_up_counts(session: Session, discussion: BookDiscussion) -> dict[str, int]:
    """How many sign-ups are confirmed, waitlisted or cancelled (their kick-off places)."""
    counts = dict.fromkeys(("confirmed", "waitlisted", "cancelled"), 0)
    for status, count in session.execute(
            select(Registration.status, func.count())
            .join(SignUp, SignUp.registration_id == Registration.id)
            .where(SignUp.discussion_id == discussion.id).group_by(Registration.status)):
        key = "confirmed" if status in SEAT_HOLDING else status.value
        counts[key] += count
    return counts
