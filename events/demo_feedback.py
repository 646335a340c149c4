"""Feedback in the demo: a finished series with its attendance and a few dozen answers, so
the report has something to show on first run, and the opening conversation of the coming
series on the last evening that is over, whose one participant the worker asks at once
(the e-mail lands in the local mailbox).

History is written through the same functions that make it live (RSVPs, attendance,
requests, answers, reminders, the follow-up), each at the moment it happened; the e-mails
of that past are marked sent, as they were then.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import (
    booking,
    feedback,
    feedback_requests,
    feedback_settings,
    limits,
    outbox,
    planning,
    roster,
)
from events.feedback import Answers
from events.feedback_models import FeedbackRequest, Purpose
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)
from events.site import Site

OUTCOMES = ["I feel confident to share unfinished work with colleagues",
            "I know where to find people to learn from outside my own library"]
UPCOMING_SERIES = "Leading from any chair"
UPCOMING_OUTCOMES = ["I feel confident to lead a change without a title",
                     "I know someone I could ask for advice on leading from where I sit"]
GUESTS = [("Tama Rāwiri", "Working out loud: why share unfinished work?"),
          ("Priya Natarajan", "Working out loud: newsletters, blogs and the staff room"),
          ("Grace Liu", "Working out loud: when it goes wrong")]
FIRST = ["Aroha", "Ben", "Carmen", "Dev", "Ella", "Finn", "Gita", "Hemi", "Isla", "Jonah",
         "Kiri", "Leo", "Mele", "Nikau", "Olive", "Paora", "Quinn", "Rosa", "Sefa", "Tui"]
LAST = ["Adams", "Brown", "Clarke", "Dunn", "Evans", "Fisher", "Grant", "Hughes"]
WORKED = [
    "Hearing how another library handles the same problem.",
    "The guest was honest about what did not work.", "Short and to the point.",
    "The questions from the audience were as good as the talk.",
    "Practical examples I can try on Monday.", "Kate kept it moving and kind.",
    "Knowing I am not the only one who hides half-done work.",
    "The story about the failed pop-up library.", "Thirty minutes is exactly right.",
    "Being able to listen while cooking dinner.", "The chat was full of good links.",
    "A guest from a small library, not a big city one.",
    "Permission to share a draft before it is perfect.",
    "The idea of a weekly 'what I am stuck on' note.", "Real numbers, not just stories.",
    "It felt like a conversation, not a lecture.", "Meeting people from other regions.",
    "The checklist for what to share and when.", "Good questions from the facilitator.",
    "Hearing about newsletters that people actually read.",
    "The guest admitted the staff room board had been ignored for a year.",
    "Concrete wording to use with my manager.", "Warm and unhurried.",
    "That it started and ended on time.", "The examples from school libraries.",
    "Ideas for sharing work with people on different shifts.",
    "How to ask for feedback without it becoming a meeting.",
    "The reading list afterwards.", "Honest about the risks as well.",
    "I left with one thing to do tomorrow.",
]
BETTER = [
    "Ten more minutes for questions.", "Share the links in the chat afterwards.",
    "A bit late in the evening for me.", "More time in small groups.",
    "The sound dropped out a couple of times.", "A recording for those on late shifts.",
    "Start with a quick round of who is here.", "Fewer slides, more talk.",
    "The invitation could say who the guest is.", "Captions would help.",
    "Some of the examples were very big-library.", "Let us vote on the questions.",
    "Post the guest's examples before the session.", "A little shorter.",
]
TOPICS = [
    "Writing for the staff newsletter", "Running a lunchtime show-and-tell",
    "Working with IT on small experiments", "Managing up", "Sharing data with the council",
    "Talking about mistakes in public", "Peer mentoring across branches",
    "Making a case for a pilot", "Evaluating small projects", "Working with volunteers",
    "Presenting to a board", "Writing for the web",
]
HOW = [
    "I started a fortnightly 'work in progress' note to my team.",
    "Shared the guest's checklist with our branch managers.",
    "Presented our half-finished signage project at a staff meeting.",
    "Joined a regional group the guest mentioned.",
    "We now open team meetings with five minutes of 'what I am stuck on'.",
    "Asked two colleagues for feedback on a draft policy before it was done.",
    "Put our unfinished reading-challenge plan on the staff wiki.",
    "Told my manager about a project while it was still an idea.",
    "Wrote a short piece for the regional newsletter.",
    "Shared the reading list with our school librarians.",
    "Set up a shared folder for drafts across the three branches.",
    "Used the 'what, why, what next' format in my monthly report.",
    "Invited a colleague from another library to see our makerspace trial.",
    "Ran a show-and-tell at our staff day.",
    "Talked about a failed event at our team meeting, which was new for us.",
    "Started posting progress photos of the refurbishment for staff.",
]
NOTES = ["A late shift came up.", "My internet dropped just before the start.",
         "Forgot, sorry!", "Sick child.", "Stuck at work.", "Power cut in our street.",
         "I had the wrong time in my calendar.", "Family dinner ran late."]


class Deck:
    """Words drawn without putting them back, so the demo does not repeat itself."""

    def __init__(self, words: list[str], chance: random.Random) -> None:
        self.words = list(words)
        chance.shuffle(self.words)

    def draw(self, chance: random.Random, likely: float) -> str:
        if not self.words or chance.random() >= likely:
            return ""
        return self.words.pop()


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _people() -> list[tuple[str, str]]:
    return [(f"{first} {last}", f"{first.lower()}.{last.lower()}@example.org")
            for last in LAST for first in FIRST][:80]


def seed_feedback_demo(session: Session, programme: Programme, site: Site,
                       now: datetime) -> Series:
    """Add the finished series and the drop-in to the demo programme."""
    zone = programme.zone
    chance = random.Random(1912)
    decks = {name: Deck(words, chance) for name, words in (
        ("worked", WORKED), ("better", BETTER), ("topics", TOPICS), ("how", HOW),
        ("notes", NOTES))}
    series = Series(programme=programme, title="Working out loud",
                    theme="Sharing work in progress", target_attendance=40,
                    description="Three conversations about showing colleagues what you "
                                "are working on before it is finished.")
    session.add(series)
    session.flush()
    feedback_settings.save_settings(session, series, feedback_settings.SettingsPlan(
        automatic=True, named=False, delay_minutes=0, remind_at=time(19, 0),
        outcomes=list(OUTCOMES)))
    facilitator = session.execute(select(Person).where(
        Person.email == "kate.wilson@example.org")).scalar_one_or_none()
    first_day = (now - timedelta(weeks=11)).astimezone(zone).date()
    events = []
    for week, (guest, title) in enumerate(GUESTS):
        starts = _at(first_day + timedelta(weeks=week), 19, 30, zone)
        event = Event(programme=programme, series=series, kind=EventKind.conversation,
                      title=title, description=f"A conversation with **{guest}**.",
                      starts_at=starts, duration_minutes=30, timezone=programme.timezone,
                      capacity=80, status=EventStatus.published,
                      meeting_url="https://meet.jit.si/mingle-demo-working-out-loud-k2v7")
        slug = guest.split()[0].lower().replace("ā", "a")
        event.roles = [Role(person=Person(name=guest, email=f"{slug}@example.org"),
                            kind=RoleKind.guest, status=InvitationStatus.accepted)]
        if facilitator is not None:
            event.roles.append(Role(person=facilitator, kind=RoleKind.facilitator,
                                    status=InvitationStatus.accepted))
        session.add(event)
        session.flush()
        _history(session, site, event, chance, decks)
        events.append(event)
    _follow_up(session, site, events[-1].ends_at + limits.FOLLOW_UP_AFTER, chance,
               decks["how"])
    _mark_history_sent(session, [event.id for event in events])
    _opening(session, programme, now)
    session.flush()
    return series


def _history(session: Session, site: Site, event: Event, chance: random.Random,
             decks: dict[str, Deck]) -> None:
    """RSVPs a week before, attendance, requests at the end, answers over the next days."""
    people = _people()
    chance.shuffle(people)
    rsvped = people[:chance.randint(54, 62)]
    for name, email in rsvped:
        booking.register(session, event.id, name, email, now=event.starts_at - timedelta(days=7))
    places = list(session.execute(select(Registration).where(
        Registration.event_id == event.id).order_by(Registration.id)).scalars())
    came = [place.id for place in places if chance.random() < 0.76]
    missed = [place.id for place in places if place.id not in came]
    roster.mark(session, event, came, RegistrationStatus.attended)
    if missed:
        roster.mark(session, event, missed, RegistrationStatus.no_show)
    planning.change_status(session, event, EventStatus.completed, now=event.ends_at)
    feedback_requests.ask_now(session, event, event.ends_at)
    answered = set()
    for place in places:
        if place.status == RegistrationStatus.no_show and chance.random() < 0.3:
            _answer(session, site, place, Purpose.after_event, event.ends_at + timedelta(
                hours=2), Answers(obstacle=chance.choice(["work", "clash", "forgot",
                                                          "technical", "other"]),
                                  obstacle_note=decks["notes"].draw(chance, 0.4)))
        elif place.status == RegistrationStatus.attended and chance.random() < 0.3:
            _answer(session, site, place, Purpose.after_event,
                    event.ends_at + timedelta(minutes=20),
                    _evening(session, event, chance, decks))
            answered.add(place.id)
    reminder = feedback_requests.reminder_moment(event.ends_at, event.programme.zone,
                                                 limits.DEFAULT_FEEDBACK_REMINDER_AT)
    feedback_requests.remind_due(session, site, reminder)
    for place in places:
        if (place.status == RegistrationStatus.attended and place.id not in answered
                and chance.random() < 0.2):
            _answer(session, site, place, Purpose.after_event,
                    reminder + timedelta(hours=1), _evening(session, event, chance, decks))


def _evening(session: Session, event: Event, chance: random.Random,
             decks: dict[str, Deck]) -> Answers:
    outcomes = feedback_settings.outcomes_of(session, event.series_id)
    rating = chance.choices([2, 3, 4, 5], weights=[1, 4, 8, 6])[0]
    scores = {}
    for outcome in outcomes:
        if chance.random() < 0.9:
            before = chance.choices([1, 2, 3, 4], weights=[2, 5, 4, 1])[0]
            scores[outcome.id] = (before, min(5, before + chance.choice([0, 1, 1, 2])))
    return Answers(rating=rating, worked=decks["worked"].draw(chance, 0.5),
                   better=decks["better"].draw(chance, 0.25),
                   come_again=chance.choices(["yes", "maybe", "no"], weights=[8, 2, 1])[0],
                   topics=decks["topics"].draw(chance, 0.2), scores=scores,
                   share_with_speakers=chance.random() < 0.7, may_quote=chance.random() < 0.5)


def _answer(session: Session, site: Site, place: Registration, purpose: Purpose,
            at: datetime, answers: Answers) -> None:
    feedback.answer(session, site, feedback.token(site, place.id), purpose, answers, now=at)


def _follow_up(session: Session, site: Site, at: datetime, chance: random.Random,
               how: Deck) -> None:
    feedback_requests.follow_up_due(session, at)
    asked = session.execute(
        select(FeedbackRequest).where(
            FeedbackRequest.purpose == Purpose.follow_up)
        .order_by(FeedbackRequest.id)).scalars()
    for request in asked:
        if chance.random() < 0.3:
            used = chance.choices(["yes", "not_yet", "no"], weights=[6, 3, 1])[0]
            _answer(session, site, request.registration, Purpose.follow_up,
                    at + timedelta(days=2), Answers(
                        used=used, how=how.draw(chance, 0.8) if used == "yes" else ""))


def _mark_history_sent(session: Session, event_ids: list[int]) -> None:
    """The past's e-mails went out at the time: none of them waits in the outbox now."""
    for message in session.execute(select(OutboxMessage).where(
            OutboxMessage.event_id.in_(event_ids),
            OutboxMessage.status == OutboxStatus.queued)).scalars():
        outbox.mark_sent(message, message.created_at)


def _opening(session: Session, programme: Programme, now: datetime) -> None:
    """The first conversation of the demo's coming series, on the last evening that is
    over: its one participant is asked by the worker's first pass, and the form they get
    has the series' outcomes to rate themselves on."""
    series = session.execute(select(Series).where(
        Series.programme_id == programme.id, Series.title == UPCOMING_SERIES)
    ).scalar_one_or_none()
    if series is not None:
        feedback_settings.save_settings(session, series, feedback_settings.SettingsPlan(
            automatic=True, named=False, delay_minutes=0, remind_at=time(19, 0),
            outcomes=list(UPCOMING_OUTCOMES)))
    zone = programme.zone
    day = now.astimezone(zone).date()
    starts = _at(day, 19, 30, zone)
    if starts + timedelta(minutes=30) > now:
        starts = _at(day - timedelta(days=1), 19, 30, zone)
    event = Event(programme=programme, series=series, kind=EventKind.conversation,
                  title="Leading from any chair: an opening conversation",
                  description="Kate Wilson opens the series: what leading without a title "
                              "looks like in a library.",
                  starts_at=starts, duration_minutes=30, timezone=programme.timezone,
                  capacity=20, status=EventStatus.published,
                  meeting_url="https://meet.jit.si/mingle-demo-opening-w5d3")
    session.add(event)
    session.flush()
    place = booking.register(session, event.id, "Pat Reader", "pat.reader@example.org",
                             now=event.starts_at - timedelta(days=2)).registration
    roster.mark(session, event, [place.id], RegistrationStatus.attended)
    _mark_history_sent(session, [event.id])
