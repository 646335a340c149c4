"""The demo's book discussion: a book, a kick-off, three threads, three weekly meeting
times, a reading plan and about thirty sign-ups with their wishes, ready for forming
groups (nothing formed or published yet, so a visitor can try it)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from events.discussions import planning
from events.discussions.models import BookDiscussion, MeetingSlot
from events.discussions.signing_up import Wishes, sign_up
from events.models import EventStatus, Programme

SIGN_UPS = 30
FIRST_NAMES = ("Aroha", "Ben", "Carys", "Dev", "Ella", "Finn", "Grace", "Hemi", "Isla", "Jack",
               "Kiri", "Liam", "Mere", "Noah", "Olive", "Pita", "Quinn", "Ruby", "Sam", "Tui",
               "Uma", "Vika", "Wiremu", "Xin", "Yasmin", "Zac", "Anahera", "Bodhi", "Chloe",
               "Dylan")
SURNAMES = ("Ngata", "Smith", "Chen", "Patel", "Walker", "Taufa", "Brown", "Wilson", "Singh",
            "Kaur")


def seed_book_discussion(session: Session, programme: Programme, today: date) -> BookDiscussion:
    """The demo discussion, its kick-off published, with ``SIGN_UPS`` people signed up."""
    first_week = today + timedelta(days=(7 - today.weekday()) % 7 or 7, weeks=2)
    discussion = planning.save_discussion(session, programme, planning.DiscussionPlan(
        book_title="The Library Book", book_author="Susan Orlean",
        book_isbn="9781476740188",
        description="Four weeks with *The Library Book*: a kick-off webinar, then small groups "
                    "that each take one thread of the book and meet weekly.",
        kickoff_starts_at_local=datetime.combine(first_week - timedelta(days=4), time(18, 0)),
        kickoff_meeting_url="https://meet.jit.si/mingle-demo-book-kickoff-h4k9",
        places=40, first_week_on=first_week,
        threads="Leadership\nThe library as a place\nService to everyone",
        slots="Tuesday 19:30\nWednesday 19:30\nThursday 12:30",
        reading_plan="Chapters 1-8 | What does a library owe its town?\n"
                     "Chapters 9-16 | Who is a library for, and who does it miss?\n"
                     "Chapters 17-24 | What would you rebuild first after a fire?\n"
                     "To the end | What will you change in your own library?"))
    discussion.kickoff.status = EventStatus.published
    session.flush()
    rng = random.Random(7)
    slots, threads = discussion.slots, discussion.threads
    chosen: list[MeetingSlot] = []
    for n in range(SIGN_UPS):
        name = f"{FIRST_NAMES[n]} {SURNAMES[n % len(SURNAMES)]}"
        partner = f"demo.reader{n - 1}@example.org" if n % 10 == 1 else ""
        if not partner:  # someone asking to be with the person before shares their times
            chosen = [slots[0], *(s for s in slots[1:] if rng.random() < 0.5)] if n % 3 else \
                [slots[1], *(s for s in (slots[0], slots[2]) if rng.random() < 0.4)]
        ranked = rng.sample(threads, rng.choice((1, 2, 3)))
        sign_up(session, discussion.id, name, f"demo.reader{n}@example.org",
                Wishes([s.id for s in chosen], [t.id for t in ranked], partner,
                       shares_first_name=n % 7 != 0,
                       timezone="Australia/Sydney" if n % 6 == 0 else ""))
    for thread in threads:
        for slot in slots:
            planning.save_group(session, discussion, planning.GroupPlan(thread.id, slot.id))
    return discussion
