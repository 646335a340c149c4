"""What a speaker reads about their own events: the aggregate of those whose form has closed
with enough answers, and the comments people chose to share with them.

Self-assessments are never part of it: they say where a participant stands on the
series' outcomes, not how the speaker did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events.feedback import closes_at
from events.feedback_figures import Ratings, Shown, Tally, breakdown, ratings, tally
from events.feedback_models import COME_AGAIN_LABELS, Questions
from events.feedback_reports import COMMENT_QUESTIONS, Comment, answers_of, comments, grouped
from events.models import Event, InvitationStatus, Role


@dataclass(frozen=True)
class SpeakerFigures:
    """What a speaker reads about their events: ratings, "would come again" and the
    comments people agreed to share. Self-assessments are never among them: they say
    where a participant stands, not how the speaker did."""

    rating: Ratings
    come_again: Tally
    comments: list[Comment]


@dataclass(frozen=True)
class SpeakerFeedback:
    """The aggregate of a speaker's own events whose forms have closed."""

    events: list[Event]
    # Their events whose feedback is not shown (yet): still open, or too few answers.
    waiting: list[Event]
    summary: Shown[SpeakerFigures]


def for_speaker(session: Session, person_id: int, now: datetime) -> SpeakerFeedback:
    """Feedback on the events where ``person_id`` took part (an accepted invitation), from events
    whose form has closed with at least ``limits.FEWEST_SHOWN`` answers."""
    events = list(session.execute(
        select(Event).join(Role, Role.event_id == Event.id)
        .where(Role.person_id == person_id, Role.status == InvitationStatus.accepted)
        .distinct().order_by(Event.starts_at, Event.id)).scalars())
    answers = answers_of(session, [event.id for event in events])
    evening = grouped(answers, Questions.evening, lambda a: a.event_id)
    closed = [event for event in events if closes_at(event) <= now]
    units = {event.id: breakdown(len(evening.get(event.id, [])),
                                 lambda event=event: evening[event.id]) for event in closed}
    shown_events = [event for event in closed if units[event.id].figures is not None]
    kept = [answer for event in shown_events for answer in evening[event.id]]
    shared = [answer for answer in kept if answer.share_with_speakers]
    return SpeakerFeedback(
        shown_events, [event for event in events if event not in shown_events],
        breakdown(len(kept), lambda: SpeakerFigures(
            ratings(kept), tally(COME_AGAIN_LABELS, (a.come_again for a in kept)),
            comments(shared, COMMENT_QUESTIONS, set()))))
