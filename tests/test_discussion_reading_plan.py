"""A book discussion's reading plan is one list of resources: its kick-off's, week by week,
for people with a place. Saving the plan again replaces it; a person on the waitlist and
the public see none of it; a person with a place sees it on their own pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import resources
from events.discussions import group_page, planning
from events.discussions.models import SignUp
from events.discussions.signing_up import Wishes, sign_up
from events.models import Programme
from events.resources import Resource, ResourceAudience, ResourceKind, ResourceTiming
from tests.conftest import make_site
from tests.test_discussions import make_discussion

SITE = make_site()


def test_the_plan_is_the_kickoffs_resources_for_people_with_a_place_and_saving_replaces_it(
        session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme, places=1)
    plan = resources.reading_plan(session, discussion.kickoff_event_id)
    assert [(item.week, item.title, item.description) for item in plan] == [
        (1, "Chapters 1-4", "What does a library owe its town?"),
        (2, "Chapters 5-9", "Who is a library for?"), (3, "Chapters 10-14", ""),
        (4, "To the end", "What would you rebuild first?")]
    assert {(item.kind, item.timing, item.audience) for item in plan} == {
        (ResourceKind.reading, ResourceTiming.before, ResourceAudience.registered)}
    # The kick-off's own resources are not part of the plan, and stay when it is saved.
    own = resources.add_resource(session, discussion.kickoff, resources.ResourcePlan(
        "Introduction to the book", audience="public"))
    edited = planning.DiscussionPlan(
        book_title=discussion.book_title,
        kickoff_starts_at_local=discussion.kickoff.local_start.replace(tzinfo=None),
        first_week_on=discussion.first_week_on,
        threads="\n".join(t.name for t in discussion.threads),
        slots="\n".join(s.typed for s in discussion.slots), weeks=discussion.weeks,
        places=1, reading_plan="Part one | Why read?\nPart two")
    planning.save_discussion(session, discussion.programme, edited, discussion)
    session.commit()
    assert [(r.week, r.title) for r in discussion.reading_plan] == [(1, "Part one"),
                                                                    (2, "Part two")]
    kept = session.scalars(select(Resource).where(
        Resource.event_id == discussion.kickoff_event_id).order_by(Resource.id)).all()
    assert [r.title for r in kept] == [own.title, "Part one", "Part two"]

    # One place: the first sees the plan with their group, the second (waitlisted) not.
    for n in range(2):
        sign_up(session, discussion.id, f"Reader {n}", f"reader{n}@example.org",
                Wishes([discussion.slots[0].id]))
    session.commit()
    first, second = session.scalars(select(SignUp).order_by(SignUp.id)).all()
    assert [r.title for r in group_page.group_view(session, SITE, first).reading_plan] == [
        "Part one", "Part two"]
    assert group_page.group_view(session, SITE, second).reading_plan == []
    assert resources.shown_publicly(session, [discussion.kickoff])[
        discussion.kickoff_event_id] == [own]
