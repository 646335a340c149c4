"""Book discussions in the domain: signing up, forming groups from the confirmed sign-ups,
locks and moves, publishing, and what follows, on both databases with the solver run
for real in its child process."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.discussions import attendance, forming, group_page, meetings, membership, planning
from events.discussions.models import (
    BookDiscussion,
    DraftPlacement,
    GroupMember,
    GroupStatus,
    MemberStatus,
    SignUp,
)
from events.discussions.signing_up import Wishes, sign_up
from events.errors import InvalidInput, NotFound, NotOpen
from events.grouping import ObstacleKind, TakeFromWaitlist
from events.models import EventStatus, OutboxMessage, Programme, Registration
from tests.test_grouping import splits_into_six_to_eight

THREADS = ["Leadership", "The library as a place", "Service"]
SLOTS = ["Tuesday 19:30", "Wednesday 7:30 pm", "Thursday 12:30"]


def next_monday(weeks_ahead: int = 3) -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7) + timedelta(weeks=weeks_ahead)


def make_discussion(session: Session, programme: Programme, *, places: int = 200,
                    first_week_on: date | None = None, weeks: int = 4,
                    threads: list[str] | None = None, slots: list[str] | None = None,
                    publish_kickoff: bool = True) -> BookDiscussion:
    first = first_week_on or next_monday()
    plan = planning.DiscussionPlan(
        book_title="The Library Book", book_author="Susan Orlean",
        kickoff_starts_at_local=datetime.combine(first - timedelta(days=4), time(18, 0)),
        first_week_on=first, threads="\n".join(threads or THREADS),
        slots="\n".join(slots or SLOTS), places=places, weeks=weeks,
        reading_plan="Chapters 1-4 | What does a library owe its town?\n"
                     "Chapters 5-9 | Who is a library for?\nChapters 10-14\nTo the end | "
                     "What would you rebuild first?")
    discussion = planning.save_discussion(session, programme, plan)
    if publish_kickoff:
        discussion.kickoff.status = EventStatus.published
    session.commit()
    return discussion


def wishes_for(discussion: BookDiscussion, rng: random.Random) -> Wishes:
    """Everyone can make the first slot (so the head count alone decides whether groups
    can be formed), some others too, and ranks some threads."""
    first, *others = discussion.slots
    slots = [first, *(slot for slot in others if rng.random() < 0.5)]
    threads = rng.sample(discussion.threads, min(len(discussion.threads), rng.choice((0, 1, 3))))
    return Wishes([s.id for s in slots], [t.id for t in threads])


def sign_up_many(session: Session, discussion: BookDiscussion, count: int, seed: int = 1,
                 first: int = 0, every_slot: bool = False) -> list[SignUp]:
    rng = random.Random(seed)
    made = []
    for n in range(first, first + count):
        wishes = wishes_for(discussion, rng)
        if every_slot:
            wishes = Wishes([s.id for s in discussion.slots], wishes.thread_ids)
        made.append(sign_up(session, discussion.id, f"Reader {n}", f"reader{n}@example.org",
                            wishes).sign_up)
    session.commit()
    return made


def offer_and_form(session: Session, discussion: BookDiscussion,
                   plan: forming.ConcessionsPlan | None = None) -> forming.Formed:
    planning.offer_groups_for_every_thread_and_slot(session, discussion)
    formed = forming.form(session, discussion, plan or forming.ConcessionsPlan())
    session.commit()
    return formed


def drafts(session: Session, discussion: BookDiscussion) -> dict[int, DraftPlacement]:
    return forming.drafts_of(session, discussion)


def test_signing_up_places_a_person_at_the_kickoff_with_their_wishes_once(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    tuesday, thursday = discussion.slots[0], discussion.slots[2]
    wishes = Wishes([str(tuesday.id), str(thursday.id)],
                    [str(discussion.threads[1].id), str(discussion.threads[0].id)],
                    with_email="Friend@Example.org", timezone="Australia/Sydney")
    first = sign_up(session, discussion.id, "Ann Reader", "ann@example.org", wishes)
    session.commit()
    again = sign_up(session, discussion.id, "Ann Reader", "ANN@example.org",
                    Wishes([str(tuesday.id)]))
    session.commit()
    assert first.created and first.status.value == "confirmed"
    assert not again.created and again.sign_up.id == first.sign_up.id
    assert again.sign_up.slot_ids == [tuesday.id, thursday.id]
    assert again.sign_up.thread_ids == [discussion.threads[1].id, discussion.threads[0].id]
    assert again.sign_up.with_email == "friend@example.org"
    assert session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == discussion.kickoff_event_id)) == 1
    assert session.scalar(select(func.count()).select_from(SignUp)) == 1


def test_a_full_discussion_puts_people_on_its_waitlist(session: Session,
                                                      programme: Programme) -> None:
    discussion = make_discussion(session, programme, places=2)
    results = [sign_up(session, discussion.id, f"R {n}", f"r{n}@example.org",
                       Wishes([discussion.slots[0].id])) for n in range(3)]
    session.commit()
    assert [(r.status.value, r.position) for r in results] == [
        ("confirmed", None), ("confirmed", None), ("waitlisted", 1)]
    assert len(forming.confirmed_sign_ups(session, discussion)) == 2


def test_wishes_that_are_not_on_offer_are_refused_with_the_field(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    other = make_discussion(session, programme)
    cases = [(Wishes([]), "slots"), (Wishes([other.slots[0].id]), "slots"),
             (Wishes([discussion.slots[0].id], [other.threads[0].id]), "threads"),
             (Wishes([discussion.slots[0].id], with_email="me@example.org"), "with_email"),
             (Wishes([discussion.slots[0].id], timezone="Mars/Olympus"), "timezone")]
    for wishes, field in cases:
        with pytest.raises(InvalidInput) as refused:
            sign_up(session, discussion.id, "Me", "me@example.org", wishes)
        assert refused.value.field == field
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SignUp)) == 0
    draft = make_discussion(session, programme, publish_kickoff=False)
    with pytest.raises(NotFound):
        sign_up(session, draft.id, "Me", "me@example.org", Wishes([draft.slots[0].id]))


def placed_sizes(session: Session, discussion: BookDiscussion) -> Counter[int]:
    return Counter(d.group_id for d in drafts(session, discussion).values())


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(count=st.integers(6, 200), seed=st.integers(0, 1000))
@example(count=17, seed=1)
@example(count=18, seed=2)
@example(count=200, seed=3)
def test_forming_the_confirmed_sign_ups_keeps_every_size_and_slot_or_explains_why_not(
        session: Session, programme: Programme, count: int, seed: int) -> None:
    session.execute(DraftPlacement.__table__.delete())
    discussion = make_discussion(session, programme)
    sign_ups = sign_up_many(session, discussion, count, seed, first=seed * 1000)
    formed = offer_and_form(session, discussion)
    if not splits_into_six_to_eight(count):
        assert formed.infeasible is not None and formed.proposal is None
        assert [o.kind for o in formed.infeasible.obstacles] == [ObstacleKind.HEAD_COUNT]
        assert any(isinstance(r, TakeFromWaitlist) for r in formed.infeasible.remedies)
        assert drafts(session, discussion) == {}
        return
    placed = drafts(session, discussion)
    assert set(placed) == {s.id for s in sign_ups}
    groups = {g.id: g for g in forming.candidate_groups(session, discussion)}
    for size in placed_sizes(session, discussion).values():
        assert 6 <= size <= 8
    for s in sign_ups:
        assert groups[placed[s.id].group_id].slot_id in s.slot_ids


def test_the_infeasible_count_offers_its_remedies_and_taking_from_the_waitlist_works(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme, places=17)
    sign_up_many(session, discussion, 19, every_slot=True)
    formed = offer_and_form(session, discussion)
    assert formed.infeasible is not None
    [obstacle] = formed.infeasible.obstacles
    assert "17 people cannot be split into groups of 6-8" in obstacle.message
    assert TakeFromWaitlist(1) in obstacle.remedies
    planning.set_places(session, discussion, 18)
    session.commit()
    again = forming.form(session, discussion, forming.ConcessionsPlan())
    session.commit()
    assert again.proposal is not None
    assert sorted(placed_sizes(session, discussion).values()) == [6, 6, 6]


def test_one_group_of_nine_with_a_reason(session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme, slots=["Tuesday 19:30"])
    sign_up_many(session, discussion, 17, every_slot=True)
    with pytest.raises(InvalidInput) as refused:
        offer_and_form(session, discussion, forming.ConcessionsPlan(0, " ", "larger"))
    assert refused.value.field == "reason"
    session.rollback()
    formed = offer_and_form(session, discussion,
                            forming.ConcessionsPlan(0, "Two friends asked to stay", "larger"))
    assert formed.proposal is not None
    assert sorted(placed_sizes(session, discussion).values()) == [8, 9]
    assert discussion.size_exception_reason == "Two friends asked to stay"


def test_locks_are_kept_a_rerun_shows_who_moved_and_nothing_is_told_before_publishing(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    sign_ups = sign_up_many(session, discussion, 30, every_slot=True)
    offer_and_form(session, discussion)
    before = {k: d.group_id for k, d in drafts(session, discussion).items()}
    mover = sign_ups[0]
    sizes = placed_sizes(session, discussion)
    target = next(g for g in forming.candidate_groups(session, discussion)
                  if g.id != before[mover.id] and 0 < sizes[g.id] < 8)
    keeper = sign_ups[1]
    forming.adjust(session, discussion, {mover.id: (target.id, False),
                                         keeper.id: (before[keeper.id], True)})
    session.commit()
    assert drafts(session, discussion)[mover.id].locked
    formed = forming.form(session, discussion, forming.ConcessionsPlan())
    session.commit()
    after = drafts(session, discussion)
    assert after[mover.id].group_id == target.id
    assert after[keeper.id].group_id == before[keeper.id]
    assert set(formed.moved) <= {mover.id} | {s.id for s in sign_ups
                                              if after[s.id].group_id != before[s.id]}
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind.like("group%"))) == 0
    assert session.scalar(select(func.count()).select_from(GroupMember)) == 0


def published(session: Session, programme: Programme, count: int = 20,
              **options: object) -> BookDiscussion:
    discussion = make_discussion(session, programme, **options)  # type: ignore[arg-type]
    sign_up_many(session, discussion, count, every_slot=True)
    offer_and_form(session, discussion)
    membership.publish(session, discussion)
    session.commit()
    return discussion


def test_publishing_places_everyone_in_one_running_group_with_private_weekly_meetings(
        session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 20)
    members = session.scalars(select(GroupMember)).all()
    assert len(members) == 20 and len({m.sign_up_id for m in members}) == 20
    running = [g for g in attendance.running_groups(session, discussion)]
    assert {g.status for g in running} == {GroupStatus.running}
    for group in running:
        assert [m.week for m in group.meetings] == [1, 2, 3, 4]
        for meeting in group.meetings:
            assert meeting.event.listed is False
            assert meeting.event.kind.value == "group_meeting"
            local = meeting.event.starts_at.astimezone(discussion.zone)
            assert (local.weekday(), local.time()) == (group.slot.weekday, group.slot.local_time)
    kinds = Counter(session.scalars(select(OutboxMessage.kind)).all())
    assert kinds["group_placed"] == 20
    candidates = forming.candidate_groups(session, discussion)
    assert all(g.status == GroupStatus.candidate for g in candidates)
    with pytest.raises(NotOpen):
        membership.publish(session, discussion)


def test_publishing_refuses_a_draft_moved_against_the_rules(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    tuesday_only = [sign_up(session, discussion.id, f"T {n}", f"t{n}@example.org",
                            Wishes([discussion.slots[0].id])).sign_up for n in range(12)]
    session.commit()
    offer_and_form(session, discussion)
    elsewhere = next(g for g in forming.candidate_groups(session, discussion)
                     if g.slot_id != discussion.slots[0].id)
    forming.adjust(session, discussion, {tuesday_only[0].id: (elsewhere.id, True)})
    session.commit()
    with pytest.raises(membership.DraftBreaksRules) as refused:
        membership.publish(session, discussion)
    kinds = {o.kind for o in refused.value.infeasible.obstacles}
    assert ObstacleKind.LOCKED_UNAVAILABLE in kinds
    session.rollback()
    assert discussion.published_at is None
    assert session.scalar(select(func.count()).select_from(GroupMember)) == 0


def test_after_publishing_a_member_moves_leaves_and_a_group_closes_into_another(
        session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 14, slots=["Tuesday 19:30"], threads=["Craft"])
    first, second = attendance.running_groups(session, discussion)
    member = session.scalars(select(GroupMember).where(GroupMember.group_id == first.id)).first()
    assert member is not None
    membership.move(session, discussion, member.sign_up_id, second.id)
    session.commit()
    assert member.group_id == second.id and member.sequence == 2
    membership.leave(session, member)
    session.commit()
    assert member.status == MemberStatus.left
    with pytest.raises(InvalidInput):
        membership.close_group(session, first, None)
    session.rollback()
    with pytest.raises(NotOpen, match="is full"):
        membership.close_group(session, first, second)
    session.rollback()
    planning.save_group(session, discussion, planning.GroupPlan(
        second.thread_id, second.slot_id, max_size=14), second)
    membership.close_group(session, first, second)
    session.commit()
    assert first.status == GroupStatus.closed
    assert session.scalar(select(func.count()).select_from(GroupMember).where(
        GroupMember.group_id == second.id, GroupMember.is_active)) == 13
    kinds = Counter(session.scalars(select(OutboxMessage.kind)).all())
    assert kinds["group_moved"] == 7 and kinds["group_left"] == 1


def test_late_sign_ups_are_placed_by_hand_where_they_can_meet_and_there_is_room(
        session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 12, slots=["Tuesday 19:30", "Thursday 12:30"])
    late = sign_up(session, discussion.id, "Late", "late@example.org",
                   Wishes([discussion.slots[1].id])).sign_up
    session.commit()
    groups = attendance.running_groups(session, discussion)
    tuesday = next((g for g in groups if g.slot_id == discussion.slots[0].id), None)
    thursday = next((g for g in groups if g.slot_id == discussion.slots[1].id), None)
    if tuesday is not None:
        with pytest.raises(InvalidInput, match="cannot make"):
            membership.move(session, discussion, late.id, tuesday.id)
        session.rollback()
    if thursday is not None:
        membership.move(session, discussion, late.id, thursday.id)
        session.commit()
        assert group_page.group_view(session, _site(), late).state == "placed"


def _site():
    from tests.conftest import make_site

    return make_site()


def test_a_skipped_week_cancels_that_meeting_for_every_member_and_only_that_one(
        session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 6, slots=["Tuesday 19:30"], threads=["Craft"])
    [group] = attendance.running_groups(session, discussion)
    meetings.skip_week(session, group, 3)
    session.commit()
    assert [m.skipped for m in group.meetings] == [False, False, True, False]
    assert [m.event.status for m in group.meetings][2] == EventStatus.cancelled
    skipped = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "meeting_skipped")).all()
    assert len(skipped) == 6
    assert {m.context["week"] for m in skipped} == {3}
    assert {m.context["method"] for m in skipped} == {"CANCEL"}


def test_the_heatmap_and_the_week_two_check(session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 14, slots=["Tuesday 19:30"], threads=["Craft"])
    first, second = attendance.running_groups(session, discussion)
    for group in (first, second):  # six weeks on: weeks 1-3 have been held
        for meeting in group.meetings:
            meeting.event.starts_at -= timedelta(weeks=6)
    members = {g.id: [m.id for m in meetings.active_members(session, g)] for g in (first, second)}
    attendance.mark(session, first, 1, members[first.id])
    attendance.mark(session, first, 2, members[first.id][:3])
    attendance.mark(session, second, 2, members[second.id][:5])
    session.commit()
    rows = {row.group.id: row for row in attendance.heatmap(session, discussion)}
    assert [c.attended for c in rows[first.id].cells] == [7, 3, 0, 0]
    assert rows[first.id].cells[1].share == pytest.approx(3 / 7)
    [concern] = attendance.week_two_check(session, discussion)
    assert concern.group.id == first.id and concern.attended == 3
    assert concern.merge_with == []  # 7 + 7 > 8
    with pytest.raises(InvalidInput):
        attendance.mark(session, first, 1, members[second.id][:1])


def test_the_demo_discussion_has_thirty_sign_ups_ready_to_form_groups(
        session: Session, programme: Programme) -> None:
    from events.demo_discussions import SIGN_UPS, seed_book_discussion

    discussion = seed_book_discussion(session, programme, datetime.now(UTC).date())
    session.commit()
    assert len(forming.confirmed_sign_ups(session, discussion)) == SIGN_UPS == 30
    formed = forming.form(session, discussion, forming.ConcessionsPlan())
    assert formed.proposal is not None
    assert all(6 <= len(group.members) <= 8 for group in formed.proposal.groups)
