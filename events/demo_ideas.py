"""The demo programme's ideas board: a closed challenges stage and an open ideas stage,
a dozen challenges and ideas, votes within budgets, offers of help and a comment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from events import help_offers, idea_comments, ideas, votes
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind, IdeaStatus
from events.models import Person, Programme
from events.people import person_for

STAFF = [
    ("Aroha Ngata", "aroha.ngata@example.org"), ("Mei Lin Chen", "meilin.chen@example.org"),
    ("Sione Taufa", "sione.taufa@example.org"), ("Kate Wilson", "kate.wilson@example.org"),
    ("Ruth Ellison", "ruth.ellison@example.org"), ("Hemi Walker", "hemi.walker@example.org"),
    ("Priya Nair", "priya.nair@example.org"), ("Tom Brennan", "tom.brennan@example.org"),
    ("Ana Folau", "ana.folau@example.org"), ("Ben Okafor", "ben.okafor@example.org"),
]
CHALLENGES = [
    ("Too little time to learn new tools",
     "Every system changes each year and training happens in our own evenings."),
    ("Cataloguing backlogs nobody sees",
     "Donations pile up in the back room; the public only sees the empty shelf."),
    ("Talking about our value to funders",
     "We count loans, but councils and universities want to hear about outcomes."),
    ("Working alone in a small branch", "No one to ask when something odd comes up."),
    ("Keeping up with digital privacy questions",
     "Patrons ask about scams and privacy; we are not sure what to say."),
    ("Burnout on the front desk", "Difficult conversations all day, and no time to recover."),
    ("Sharing what works between institutions",
     "Good practice stays inside one library; we reinvent it everywhere."),
]
# Ideas for the challenges above, by their place in the list.
IDEAS = [
    (0, "Lunchtime tool tours, 20 minutes each",
     "Someone who already uses a tool shows it to others, live and short."),
    (0, "A shared list of free online courses that actually helped", ""),
    (2, "Impact stories workshop",
     "Bring one patron story each; together we turn them into a page funders read."),
    (2, "Ask a council officer what they want to hear", "A conversation with a guest from "
                                                        "local government."),
    (3, "Buddy branches across the region", "Pair small branches for a monthly call."),
    (6, "Unit showcase series", "One team a month shows how their work looks from the inside."),
]


def _board_times(now: datetime) -> dict[str, datetime]:
    return {"opens_at": now - timedelta(weeks=6), "closes_at": now - timedelta(weeks=2),
            "ideas_open_at": now - timedelta(weeks=2), "ideas_close_at": now + timedelta(weeks=6)}


def seed_ideas(session: Session, programme: Programme, now: datetime) -> IdeaBoard:
    """Add a board to ``programme`` in its ideas stage, with votes and offers of help."""
    board = IdeaBoard(programme=programme, mode=BoardMode.staged, **_board_times(now),
                      intro="The programme began as a workshop where library staff wrote down "
                            "their challenges and proposed ideas for them. Keep it going: "
                            "**vote** for what you share, offer to help, and we turn the best "
                            "into events.")
    session.add(board)
    people = [person_for(session, email, name) for name, email in STAFF]
    challenges = [_idea(session, board, IdeaKind.challenge, people[n % len(people)], title, body,
                        now - timedelta(weeks=6) + timedelta(days=n))
                  for n, (title, body) in enumerate(CHALLENGES)]
    # Votes for challenges, most for the first few, each within the voter's budget.
    for n, person in enumerate(people):
        for challenge in challenges[: 1 + (n * 3) % 5]:
            votes.cast(session, challenge, person, now - timedelta(weeks=3))
    session.flush()
    answers = [_idea(session, board, IdeaKind.idea, people[(n + 3) % len(people)], title, body,
                     now - timedelta(days=12 - n), challenge=challenges[index])
               for n, (index, title, body) in enumerate(IDEAS)]
    for n, person in enumerate(people):
        for idea in answers[n % 3: n % 3 + 2]:
            votes.cast(session, idea, person, now - timedelta(days=5))
    help_offers.offer(session, answers[0], people[4], help_offers.HelpRole.facilitate, now)
    help_offers.offer(session, answers[2], people[1], help_offers.HelpRole.co_host, now)
    idea_comments.comment(session, answers[2], people[6],
                          "Yes please: our annual plan is due in March.", now)
    session.flush()
    for idea in answers:
        ideas.mark_ready_if_due(session, idea, now)
    ideas.move_status(session, challenges[5], IdeaStatus.under_review,
                      "We are looking for a facilitator with counselling experience.", now)
    return board


def _idea(session: Session, board: IdeaBoard, kind: IdeaKind, person: Person, title: str,
          body: str, created_at: datetime, challenge: Idea | None = None) -> Idea:
    idea = Idea(board=board, kind=kind, proposer=person, title=title, body=body,
                challenge=challenge, created_at=created_at)
    session.add(idea)
    session.flush()
    return idea
