"""Feedback after an event: the personal form, its answers, and each series' settings.

Every registration that is asked (``events.feedback_requests``) gets a
personal link, ``<registration id>-<HMAC>`` under the site's secret with the
purpose "feedback" (as join links are made in ``events.access``). The link
opens one form per purpose: the evening's questions (or, for a no-show, the
single "what got in the way?") and, six weeks after a series, the follow-up.
Opening it again shows and edits the same answers until the form closes.

Anonymity, in the manner of Indico's ``AnonymousSurveySubmission``: the
record that a registration was asked (``FeedbackRequest``) is one table, the
answers (``FeedbackAnswers``) another, and nothing in the database joins
them. An answers row is found by its *locator*, the SHA-256 of the personal
token and the purpose, and carries the event, the answers and nothing else:
no person, no registration (unless the series chose a named form), no
timestamp. Answering writes only to the answers tables, never to the
request, and sends no e-mail, so no two rows are written by the same
transaction or bear the same moment. Whether someone has answered is found
when it is needed (a reminder is due) by recomputing their locator.

What this protects, and from whom:

- Organisers, through every page, report and CSV of an anonymous series,
  see what was answered at each event, how many were asked and how many
  answered, never who answered what nor who has or has not answered. On a
  named series (the organisers' choice, fixed once anyone has answered, and
  said on the form) they see names beside answers and the names of those
  who have not answered. Every breakdown of fewer than
  ``limits.FEWEST_SHOWN`` answers shows its count only
  (``events.feedback_reports``).
- Someone with a copy of the database but not the secret key sees who was
  asked, when, and (in the outbox) who was sent a reminder, that is, who had
  not answered by then; and, apart, the answers of each event, each under a
  locator they cannot compute. No column links the two. What remains is
  inference: an event with one person asked, or an order of writing that the
  database files keep (SQLite's rowid, PostgreSQL's physical order) set
  against who was reminded, can narrow an answer down to a few people.
- Someone with the database *and* the secret key (the server, its
  administrators, a thief of both) can recompute every registration's token
  and so every locator, and link every answer to its author. Anonymity here
  is kept from the organisers and from readers of the data, not from
  whoever runs the server.
- Whoever holds a personal link (its owner, anyone they forward it to, a log
  that records request paths) can open that form, read and change it.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy import insert as insert_rows
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from events import limits, signed_links
from events.errors import InvalidInput, NotFound, NotOpen
from events.feedback_models import (
    ComeAgain,
    FeedbackAnswers,
    FeedbackRequest,
    Obstacle,
    Outcome,
    Purpose,
    Questions,
    SelfAssessment,
    Used,
)
from events.feedback_settings import outcomes_of, settings_of
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    utcnow,
)
from events.people import free_text
from events.site import Site

# -- Personal links -------------------------------------------------------------------

def token(site: Site, registration_id: int) -> str:
    """The registration's personal feedback token (its id, then 192 bits of HMAC)."""
    return f"{registration_id}-{signed_links.mac(site.secret_key, 'feedback', registration_id)}"


def locator(personal_token: str, purpose: Purpose) -> str:
    """Where the answers of ``purpose`` given through ``personal_token`` are kept."""
    return hashlib.sha256(f"{purpose.value}:{personal_token}".encode()).hexdigest()


def form_url(site: Site, registration_id: int, purpose: Purpose) -> str:
    """The absolute link to the registration's form of ``purpose``."""
    personal = token(site, registration_id)
    if purpose == Purpose.follow_up:
        return site.links.follow_up(personal)
    return site.links.feedback(personal)


def registration_for_token(session: Session, site: Site, personal_token: str) -> Registration:
    """The registration a feedback token belongs to, or ``NotFound``."""
    parts = signed_links.split_token(personal_token)
    registration = session.get(Registration, parts[0]) if parts else None
    if (parts is None or registration is None or not signed_links.same_mac(
            parts[1], signed_links.mac(site.secret_key, "feedback", registration.id))):
        raise NotFound("There is nothing at this address.")
    return registration


def closes_at(event: Event) -> datetime:
    """When the evening's form of ``event`` stops taking answers."""
    return event.ends_at + limits.FEEDBACK_OPEN_FOR


def questions_for(registration: Registration, purpose: Purpose) -> Questions:
    """The form a registration answers: a no-show gets the one question, whatever they
    were first sent (attendance is often marked after the request went)."""
    if purpose == Purpose.follow_up:
        return Questions.follow_up
    if registration.status == RegistrationStatus.no_show:
        return Questions.no_show
    return Questions.evening


@dataclass(frozen=True)
class Invitation:
    """What a feedback e-mail says about its form: where, until when, and how named."""

    url: str
    closes_at: datetime
    questions: Questions
    named: bool


# The outbox's kinds that carry a feedback link, and the purpose of that link.
MESSAGE_PURPOSES = {"feedback_request": Purpose.after_event,
                    "feedback_no_show": Purpose.after_event,
                    "feedback_reminder": Purpose.after_event,
                    "feedback_follow_up": Purpose.follow_up}


def invitation_for(site: Site, message: OutboxMessage) -> Invitation | None:
    """The form a feedback e-mail points to (built when it is sent: no token is stored)."""
    purpose = MESSAGE_PURPOSES.get(message.kind)
    if purpose is None or message.registration_id is None:
        return None
    context = message.context or {}
    return Invitation(form_url(site, message.registration_id, purpose),
                      datetime.fromisoformat(context["closes_at"]),
                      Questions(context["questions"]), bool(context.get("named")))


# -- The form -------------------------------------------------------------------------

@dataclass(frozen=True)
class Form:
    """One registration's form of one purpose, as its page shows it."""

    registration: Registration
    request: FeedbackRequest
    questions: Questions
    outcomes: list[Outcome]
    named: bool
    answers: FeedbackAnswers | None
    is_open: bool

    @property
    def event(self) -> Event:
        return self.registration.event


def open_form(session: Session, site: Site, personal_token: str, purpose: Purpose,
              now: datetime | None = None) -> Form:
    """The form behind a personal link, with any answers already given (reads only).

    ``NotFound`` for a wrong link or a registration never asked for this purpose.
    """
    now = now or utcnow()
    registration = registration_for_token(session, site, personal_token)
    request = session.execute(
        select(FeedbackRequest).where(FeedbackRequest.registration_id == registration.id,
                                      FeedbackRequest.purpose == purpose)
    ).scalar_one_or_none()
    if request is None:
        raise NotFound("There is nothing at this address.")
    event = registration.event
    questions = questions_for(registration, purpose)
    settings = settings_of(session, event.series_id)
    outcomes = (outcomes_of(session, event.series_id)
                if questions == Questions.evening else [])
    answers = session.execute(
        select(FeedbackAnswers).where(FeedbackAnswers.locator == locator(personal_token,
                                                                         purpose))
        .options(selectinload(FeedbackAnswers.scores))
        # Fresh after ``answer`` wrote the row with statements of its own.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return Form(registration, request, questions, outcomes,
                named=settings is not None and settings.named, answers=answers,
                is_open=request.is_open(now) and event.status != EventStatus.cancelled)


@dataclass
class Answers:
    """What a participant sent, as typed; ``answer`` checks every part."""

    rating: object = None
    worked: object = ""
    better: object = ""
    come_again: object = None
    topics: object = ""
    # Outcome id → (before, now).
    scores: dict[int, tuple[object, object]] = field(default_factory=dict)
    share_with_speakers: bool = False
    may_quote: bool = False
    obstacle: object = None
    obstacle_note: object = ""
    used: object = None
    how: object = ""


def _choice(kind: type[enum.StrEnum], raw: object, field_name: str, question: str,
            required: bool = False) -> enum.StrEnum | None:
    if raw in (None, "") and not required:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"Please answer “{question}”.", field=field_name) from None


def _score(raw: object, field_name: str) -> int | None:
    if raw in (None, ""):
        return None
    return limits.RATING.check(raw, field_name, "answer")


# One self-assessment as stored: outcome id, before, now.
Score = dict[str, int]


def _evening(sent: Answers, outcomes: list[Outcome]) -> tuple[dict[str, object], list[Score]]:
    if sent.rating in (None, ""):
        raise InvalidInput("Please rate the evening from 1 to 5.", field="rating")
    values: dict[str, object] = {
        "rating": limits.RATING.check(sent.rating, "rating", "rating"),
        "worked": free_text(sent.worked, "worked", "answer", limits.FEEDBACK_TEXT_MAX),
        "better": free_text(sent.better, "better", "answer", limits.FEEDBACK_TEXT_MAX),
        "come_again": _choice(ComeAgain, sent.come_again, "come_again",
                              "Would you come again?"),
        "topics": free_text(sent.topics, "topics", "answer", limits.FEEDBACK_TEXT_MAX),
        "share_with_speakers": bool(sent.share_with_speakers),
        "may_quote": bool(sent.may_quote),
    }
    scores = []
    for outcome in outcomes:
        before, now = sent.scores.get(outcome.id, (None, None))
        before = _score(before, f"before_{outcome.id}")
        now = _score(now, f"now_{outcome.id}")
        if (before is None) != (now is None):
            raise InvalidInput("Choose both “before” and “now”, or neither.",
                               field=f"before_{outcome.id}" if before is None
                               else f"now_{outcome.id}")
        if before is not None and now is not None:
            scores.append({"outcome_id": outcome.id, "before": before, "now": now})
    return values, scores


def _checked(questions: Questions, sent: Answers,
             outcomes: list[Outcome]) -> tuple[dict[str, object], list[Score]]:
    """The columns of an answers row for ``questions``; every other answer is left empty."""
    values: dict[str, object] = {
        "rating": None, "worked": "", "better": "", "come_again": None, "topics": "",
        "share_with_speakers": False, "may_quote": False, "obstacle": None,
        "obstacle_note": "", "used": None, "how": ""}
    scores: list[Score] = []
    if questions == Questions.evening:
        evening, scores = _evening(sent, outcomes)
        values.update(evening)
    elif questions == Questions.no_show:
        values.update(
            obstacle=_choice(Obstacle, sent.obstacle, "obstacle", "What got in the way?",
                             required=True),
            obstacle_note=free_text(sent.obstacle_note, "obstacle_note", "note",
                                    limits.FEEDBACK_TEXT_MAX))
    else:
        values.update(
            used=_choice(Used, sent.used, "used",
                         "Have you used or shared what you learned?", required=True),
            how=free_text(sent.how, "how", "answer", limits.FEEDBACK_TEXT_MAX))
    return values, scores


def answer(session: Session, site: Site, personal_token: str, purpose: Purpose,
           sent: Answers, now: datetime | None = None) -> Form:
    """Store (or replace) the answers given through a personal link, while the form is open.

    One row per registration and purpose, whatever arrives at once: the row
    is an upsert on its locator, which the database holds unique, and the
    one that commits last is kept whole (its self-assessments with it).
    """
    now = now or utcnow()
    form = open_form(session, site, personal_token, purpose, now)
    if not form.is_open:
        raise NotOpen(closed_reason(form))
    values, scores = _checked(form.questions, sent, form.outcomes)
    key = locator(personal_token, purpose)
    row = {**values, "event_id": form.event.id, "questions": form.questions,
           "registration_id": form.registration.id if form.named else None}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(FeedbackAnswers).values(locator=key, **row)
                    .on_conflict_do_update(index_elements=["locator"], set_=row))
    # The upsert holds the row's lock (PostgreSQL) or the write lock (SQLite)
    # until commit, so replacing the self-assessments cannot interleave.
    session.execute(delete(SelfAssessment).where(SelfAssessment.locator == key))
    if scores:
        session.execute(insert_rows(SelfAssessment), [{"locator": key, **s} for s in scores])
    return open_form(session, site, personal_token, purpose, now)


def closed_reason(form: Form) -> str:
    """Why a form takes no answers, in words."""
    if form.event.status == EventStatus.cancelled:
        return "This event was cancelled, so there is nothing to give feedback on."
    return "This form has closed. Thank you all the same."
