"""The ideas board's rules, one test each: stages, votes and budgets, statuses and what
follows them, merging and undoing, similar ideas, allow-lists, drafts and early access."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import (
    allowed_domains,
    early_access,
    help_offers,
    idea_drafts,
    idea_merges,
    idea_news,
    ideas,
    planning,
    votes,
)
from events.errors import InvalidInput, NotOpen
from events.help_offers import HelpRole
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind, IdeaStatus, Stage
from events.models import EventStatus, OutboxMessage, Person, Programme
from events.people import person_for
from events.votes import VoteBudget

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def board(session: Session, programme: Programme) -> IdeaBoard:
    """A staged board in its challenges stage; ideas from a week on."""
    board = IdeaBoard(programme=programme, mode=BoardMode.staged, opens_at=NOW - DAY,
                      closes_at=NOW + 7 * DAY, ideas_open_at=NOW + 7 * DAY,
                      ideas_close_at=NOW + 14 * DAY, vote_budget=3, ready_votes=2)
    session.add(board)
    session.commit()
    return board


@pytest.fixture
def people(session: Session) -> list[Person]:
    found = [person_for(session, f"p{n}@example.org", f"Person {n} Surname") for n in range(6)]
    session.commit()
    return found


@pytest.fixture
def propose(session: Session, board: IdeaBoard, people: list[Person]) -> Callable[..., Idea]:
    def make(title: str, by: int = 0, kind: IdeaKind = IdeaKind.challenge, **extra: object
             ) -> Idea:
        idea = ideas.propose(session, board, people[by], kind, title, "", now=NOW, **extra)
        session.commit()
        return idea

    return make


def vote_count(session: Session, idea: Idea) -> int:
    return votes.count_for(session, idea.id)


def active_votes(session: Session, board: IdeaBoard, person: Person) -> int:
    return session.scalar(select(func.coalesce(func.sum(VoteBudget.active_votes), 0)).where(
        VoteBudget.board_id == board.id, VoteBudget.person_id == person.id)) or 0


def test_a_staged_board_takes_challenges_then_ideas_for_the_finalists_only(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    first, second, third = (propose(f"Challenge {n}") for n in range(3))
    with pytest.raises(NotOpen, match="Ideas are collected once"):
        ideas.propose(session, board, people[0], IdeaKind.idea, "Early idea",
                      challenge_id=first.id, now=NOW)
    for person in people[:2]:
        votes.cast(session, second, person, NOW)
    votes.cast(session, third, people[0], NOW)
    board.finalists = 2
    session.commit()

    later = NOW + 8 * DAY
    assert board.stage(later) == Stage.ideas
    assert [c.id for c in ideas.finalist_challenges(session, board)] == [second.id, third.id]
    with pytest.raises(NotOpen, match="challenges stage is over"):
        ideas.propose(session, board, people[0], IdeaKind.challenge, "Late", now=later)
    with pytest.raises(InvalidInput, match="Choose which of the challenges"):
        ideas.propose(session, board, people[0], IdeaKind.idea, "For the loser",
                      challenge_id=first.id, now=later)
    idea = ideas.propose(session, board, people[0], IdeaKind.idea, "For the winner",
                         challenge_id=second.id, now=later)
    assert idea.challenge_id == second.id
    assert board.stage(NOW + 15 * DAY) == Stage.closed
    assert board.stage(NOW - 2 * DAY) == Stage.not_open


def test_a_topic_board_has_one_list(session: Session, board: IdeaBoard,
                                    people: list[Person]) -> None:
    board.mode = BoardMode.topics
    assert board.stage(NOW) == Stage.topics and board.kinds() == (IdeaKind.topic,)
    topic = ideas.propose(session, board, people[0], IdeaKind.topic, "Copyright basics",
                          now=NOW)
    assert topic.kind == IdeaKind.topic


def test_one_vote_per_person_per_idea_and_withdrawing_frees_it(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    idea = propose("Shared challenge")
    assert votes.cast(session, idea, people[1], NOW) is True
    assert votes.cast(session, idea, people[1], NOW) is False
    session.commit()
    assert vote_count(session, idea) == 1 and active_votes(session, board, people[1]) == 1
    assert votes.withdraw(session, idea, people[1]) is True
    assert votes.withdraw(session, idea, people[1]) is False
    session.commit()
    assert vote_count(session, idea) == 0 and active_votes(session, board, people[1]) == 0


def test_the_budget_refuses_a_vote_beyond_it_and_keeps_nothing_of_it(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    items = [propose(f"Challenge {n}") for n in range(4)]
    for idea in items[:3]:
        votes.cast(session, idea, people[1], NOW)
    session.commit()
    with pytest.raises(NotOpen, match="used all 3 of your votes"):
        votes.cast(session, items[3], people[1], NOW)
    session.rollback()
    assert vote_count(session, items[3]) == 0
    assert active_votes(session, board, people[1]) == 3


def test_votes_come_back_when_an_idea_is_done_or_declined_and_still_count_for_it(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    done, declined = propose("Done one"), propose("Declined one")
    for idea in (done, declined):
        votes.cast(session, idea, people[2], NOW)
    session.commit()
    ideas.set_status(session, done, "done", "We ran it in May.")
    with pytest.raises(InvalidInput, match="Say why"):
        ideas.set_status(session, declined, "declined", "")
    ideas.set_status(session, declined, "declined", "Out of scope for this programme.")
    session.commit()
    assert active_votes(session, board, people[2]) == 0
    assert (vote_count(session, done), vote_count(session, declined)) == (1, 1)
    with pytest.raises(NotOpen, match="cannot become open"):
        ideas.set_status(session, done, "open")


def test_status_moves_follow_the_table(session: Session, propose: Callable[..., Idea]) -> None:
    idea = propose("Moving")
    assert set(ideas.organiser_moves(idea)) == {
        IdeaStatus.under_review, IdeaStatus.ready, IdeaStatus.planned, IdeaStatus.done,
        IdeaStatus.declined}
    with pytest.raises(NotOpen, match="merge it into"):
        ideas.set_status(session, idea, "duplicate", "Same as another")
    ideas.set_status(session, idea, "under_review", "Looking into it")
    assert (idea.status, idea.status_reason) == (IdeaStatus.under_review, "Looking into it")


def test_people_of_an_idea_are_told_once_each_and_not_after_stopping(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    idea = propose("Told", by=0)
    votes.cast(session, idea, people[0], NOW)  # the proposer voted too: one e-mail
    votes.cast(session, idea, people[1], NOW)
    help_offers.offer(session, idea, people[2], HelpRole.facilitate, NOW)
    votes.cast(session, idea, people[3], NOW)
    idea_news.stop_news(session, people[3])
    session.commit()

    ideas.set_status(session, idea, "under_review", "Looking")
    ideas.set_status(session, idea, "open")
    ideas.set_status(session, idea, "under_review", "Looking again")
    session.commit()
    told = session.execute(select(OutboxMessage.recipient_email, OutboxMessage.context)
                           .where(OutboxMessage.kind == "idea_status")).all()
    under_review = sorted(email for email, context in told
                          if context["status"] == "under_review")
    assert under_review == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert len(told) == 6  # under review once each, open once each


def test_enough_votes_and_a_helper_make_an_idea_ready(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    board.mode = BoardMode.topics
    topic = propose("Ready soon", kind=IdeaKind.topic)
    for person in people[:2]:
        votes.cast(session, topic, person, NOW)
    ideas.mark_ready_if_due(session, topic, NOW)
    assert topic.status == IdeaStatus.open  # votes, but nobody to run it
    help_offers.offer(session, topic, people[4], HelpRole.co_host, NOW)
    ideas.mark_ready_if_due(session, topic, NOW)
    assert topic.status == IdeaStatus.ready and "2 votes" in topic.status_reason


def test_a_merge_counts_each_voter_once_and_undo_restores_the_counts_exactly(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    duplicate, target = propose("Slow systems"), propose("Systems are slow")
    for n in (0, 1, 2):
        votes.cast(session, duplicate, people[n], NOW)
    for n in (2, 3):
        votes.cast(session, target, people[n], NOW)
    help_offers.offer(session, duplicate, people[1], HelpRole.facilitate, NOW)
    session.commit()
    before = {idea.id: vote_count(session, idea) for idea in (duplicate, target)}
    budgets = {person.id: active_votes(session, board, person) for person in people}
    assert before == {duplicate.id: 3, target.id: 2} and budgets[people[2].id] == 2

    record = idea_merges.merge(session, duplicate, target.id)
    session.commit()
    assert vote_count(session, target) == 4  # people 0..3, person 2 once
    assert vote_count(session, duplicate) == 0
    assert active_votes(session, board, people[2]) == 1  # their budget counts them once
    assert duplicate.status == IdeaStatus.duplicate and duplicate.merged_into_id == target.id
    assert help_offers.count_for(session, target.id) == 1
    assert not duplicate.takes_votes and duplicate.is_read_only

    undone = idea_merges.undo(session, record)
    session.commit()
    assert undone.votes_not_restored == 0
    assert {idea.id: vote_count(session, idea) for idea in (duplicate, target)} == before
    assert {person.id: active_votes(session, board, person) for person in people} == budgets
    assert duplicate.status == IdeaStatus.open and duplicate.merged_into_id is None
    assert help_offers.count_for(session, duplicate.id) == 1
    with pytest.raises(NotOpen, match="already been undone"):
        idea_merges.undo(session, record)


def test_undoing_a_merge_never_overspends_a_budget(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    duplicate, target, other = propose("A"), propose("B"), propose("C")
    votes.cast(session, duplicate, people[0], NOW)
    votes.cast(session, target, people[0], NOW)
    session.commit()
    record = idea_merges.merge(session, duplicate, target.id)
    votes.cast(session, other, people[0], NOW)  # the freed place, spent
    votes.cast(session, propose("D"), people[0], NOW)
    session.commit()
    assert active_votes(session, board, people[0]) == 3

    undone = idea_merges.undo(session, record)
    session.commit()
    assert undone.votes_not_restored == 1
    assert active_votes(session, board, people[0]) == 3
    assert vote_count(session, duplicate) == 0


def test_only_open_ideas_of_one_kind_merge(session: Session, board: IdeaBoard,
                                           propose: Callable[..., Idea]) -> None:
    first, second = propose("One"), propose("Two")
    with pytest.raises(NotOpen, match="into itself"):
        idea_merges.merge(session, first, first.id)
    ideas.set_status(session, second, "done")
    with pytest.raises(NotOpen, match="still open"):
        idea_merges.merge(session, first, second.id)


def test_similar_ideas_are_found_by_their_words(session: Session, board: IdeaBoard,
                                                 propose: Callable[..., Idea]) -> None:
    backlog = propose("Cataloguing backlogs nobody sees")
    propose("Burnout on the front desk")
    found = ideas.similar_ideas(session, board, "Our cataloguing backlog")
    assert [idea.id for idea in found] == [backlog.id]
    assert ideas.similar_ideas(session, board, "Copyright for podcasts") == []


def test_allow_lists_admit_their_domains_and_refuse_others_in_words(
        programme: Programme) -> None:
    programme.allowed_domains = allowed_domains.clean_patterns(
        "*.ac.nz; library.govt.nz\n@natlib.govt.nz")
    programme.allowed_domains_label = "library staff"
    assert programme.allowed_domains == "*.ac.nz, library.govt.nz, natlib.govt.nz"
    assert allowed_domains.admits(programme, "ana@lib.auckland.ac.nz")
    assert allowed_domains.admits(programme, "bo@library.govt.nz")
    assert not allowed_domains.admits(programme, "cy@sublibrary.govt.nz")
    assert not allowed_domains.admits(programme, "di@gmail.com")
    with pytest.raises(InvalidInput) as refused:
        allowed_domains.check(programme, "di@gmail.com", "RSVPs are")
    assert refused.value.message.startswith(
        "This programme's RSVPs are open to library staff addresses only: *.ac.nz,")
    with pytest.raises(InvalidInput, match="is not a domain"):
        allowed_domains.clean_patterns("not_a_domain")


def test_an_idea_becomes_a_linked_draft_and_its_people_hear_and_rsvp_first_on_publishing(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea],
        people: list[Person]) -> None:
    idea = propose("Impact stories", by=0)
    votes.cast(session, idea, people[1], NOW)
    session.commit()
    event = idea_drafts.turn_into_event(session, idea, NOW)
    session.commit()
    assert (event.status, event.title, idea.event_id) == (EventStatus.draft, idea.title,
                                                         event.id)
    assert idea.status == IdeaStatus.planned
    assert early_access.ideas_behind(session, event) == [idea]
    with pytest.raises(NotOpen, match="already been turned"):
        idea_drafts.turn_into_series(session, idea, NOW)

    event.meeting_url = "https://meet.example.net/room"
    planning.change_status(session, event, EventStatus.published, now=NOW)
    session.commit()
    assert event.announced_at == NOW + early_access.limits.EARLY_ACCESS
    assert early_access.has_early_access(session, event.id, people[1].id)
    assert not early_access.has_early_access(session, event.id, people[2].id)
    told = session.scalars(select(OutboxMessage.recipient_email)
                           .where(OutboxMessage.kind == "idea_event")).all()
    assert sorted(told) == ["p0@example.org", "p1@example.org"]
    assert early_access.open_early(session, event, NOW) == 0  # told once


def test_an_idea_becomes_a_draft_series(session: Session, propose: Callable[..., Idea]) -> None:
    idea = propose("Buddy branches")
    series = idea_drafts.turn_into_series(session, idea, NOW)
    assert (series.title, idea.series_id, idea.status) == (
        "Buddy branches", series.id, IdeaStatus.planned)


def test_an_event_published_close_to_its_start_leaves_everyone_else_as_long_to_rsvp(
        session: Session, board: IdeaBoard, propose: Callable[..., Idea]) -> None:
    soon, sooner = (idea_drafts.turn_into_event(session, propose(title), NOW)
                    for title in ("Soon", "Sooner"))
    soon.starts_at, sooner.starts_at = NOW + 3 * DAY, NOW + DAY
    for event in (soon, sooner):
        planning.change_status(session, event, EventStatus.published, now=NOW)
    assert soon.announced_at == NOW + DAY  # one day early, two for everyone
    assert sooner.announced_at == NOW and sooner.is_announced(NOW)
