"""Book discussions through the web: the organiser's pages, the public sign-up, the
member's group page and join link; each page refuses whoever may not see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import access, resources
from events.discussions import forming, group_page
from events.discussions.models import BookDiscussion, GroupMember, SignUp
from events.models import Programme
from events.resources import ResourceAudience, ResourceTiming
from tests.conftest import csrf_token_from
from tests.test_auth import log_in, make_organiser
from tests.test_discussions import (
    make_discussion,
    next_monday,
    published,
    sign_up_many,
)
from webapp.site import current_site


def test_an_organiser_creates_a_discussion_with_its_plan_and_sees_line_by_line_mistakes(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    make_organiser(session, programme=programme)
    token = log_in(client)
    first = next_monday()
    form = {"csrf_token": token, "book_title": "The Library Book", "book_author": "Susan Orlean",
            "kickoff_starts_at": f"{first - timedelta(days=4)}T18:00", "places": "40",
            "first_week_on": str(first), "weeks": "4", "meeting_minutes": "60",
            "min_group_size": "6", "max_group_size": "8", "threads": "Leadership\nPlace",
            "slots": "Tuesday 19:30\nFunday 7pm", "reading_plan": "Chapters 1-4 | Why?"}
    url = f"/organise/programmes/{programme.id}/discussions/new"
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "“Funday 7pm” is not a weekday and a time" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(BookDiscussion)) == 0
    created = client.post(url, data={**form, "slots": "Tuesday 19:30\nThu 7:30 pm"})
    assert created.status_code == 303
    discussion = session.scalars(select(BookDiscussion)).one()
    assert [s.label for s in discussion.slots] == ["Tuesdays 7:30 pm", "Thursdays 7:30 pm"]
    # The reading plan is the kick-off's resources, week by week, for people with a place.
    [week_one] = resources.reading_plan(session, discussion.kickoff_event_id)
    assert (week_one.week, week_one.title, week_one.description) == (1, "Chapters 1-4", "Why?")
    assert week_one.audience == ResourceAudience.registered
    assert week_one.timing == ResourceTiming.before
    page = client.get(f"/organise/discussions/{discussion.id}")
    assert page.status_code == 200 and "Form the groups" in page.get_data(as_text=True)
    assert client.get(f"/organise/discussions/{discussion.id}/edit").status_code == 200


def test_the_workspace_pages_need_a_login_and_the_right_programme(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    paths = [f"/organise/discussions/{discussion.id}",
             f"/organise/discussions/{discussion.id}/forming"]
    for path in paths:
        assert client.get(path).status_code == 302  # to the login page
    other = Programme(slug="other", name="Other", timezone="UTC")
    session.add(other)
    session.commit()
    make_organiser(session, programme=other)
    log_in(client)
    for path in paths:
        assert client.get(path).status_code == 404


def test_a_person_signs_up_on_the_public_page_and_a_wrong_wish_keeps_what_they_typed(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    page = client.get(f"/discussions/{discussion.id}")
    html = page.get_data(as_text=True)
    # The reading plan is for people with a place: the public page does not list it.
    assert page.status_code == 200 and "Chapters 1-4" not in html
    token = csrf_token_from(html)
    form = {"csrf_token": token, "name": "Ann Reader", "email": "ann@example.org",
            "threads": [str(discussion.threads[1].id), ""], "shares_first_name": "y",
            "timezone": "Australia/Sydney"}
    refused = client.post(f"/discussions/{discussion.id}/sign-up", data=form)
    assert refused.status_code == 422
    assert "Choose at least one meeting time" in refused.get_data(as_text=True)
    assert 'value="Ann Reader"' in refused.get_data(as_text=True)
    done = client.post(f"/discussions/{discussion.id}/sign-up",
                       data={**form, "slots": [str(discussion.slots[0].id)]})
    assert done.status_code == 200 and "You are signed up" in done.get_data(as_text=True)
    sign_up = session.scalars(select(SignUp)).one()
    assert sign_up.thread_ids == [discussion.threads[1].id]
    # Their zone is kept on the person, as a speaker's is: one place for it.
    assert sign_up.person.timezone == "Australia/Sydney"
    # The kick-off's own page sends people to this one sign-up, not to a bare RSVP.
    kickoff = client.get(f"/events/{discussion.kickoff_event_id}").get_data(as_text=True)
    assert f'href="/discussions/{discussion.id}"' in kickoff
    assert f"/events/{discussion.kickoff_event_id}/rsvp" not in kickoff
    draft = make_discussion(session, programme, publish_kickoff=False)
    assert client.get(f"/discussions/{draft.id}").status_code == 404


def test_forming_page_shows_the_infeasible_count_and_publishing_tells_everyone(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme)
    sign_up_many(session, discussion, 17, every_slot=True)
    make_organiser(session, programme=programme)
    token = log_in(client)
    client.post(f"/organise/discussions/{discussion.id}/groups/offer",
                data={"csrf_token": token})
    ran = client.post(f"/organise/discussions/{discussion.id}/forming",
                      data={"csrf_token": token, "facilitator_seats": "0",
                            "size_exception_sides": "", "reason": ""})
    html = ran.get_data(as_text=True)
    assert ran.status_code == 409
    assert "17 people cannot be split into groups of 6-8" in html
    assert "Allow one group of 9, with a reason." in html
    ran = client.post(f"/organise/discussions/{discussion.id}/forming",
                      data={"csrf_token": token, "facilitator_seats": "0",
                            "size_exception_sides": "larger", "reason": "Friends"})
    assert ran.status_code == 200 and "Groups formed" in ran.get_data(as_text=True)
    published_ = client.post(f"/organise/discussions/{discussion.id}/forming/publish",
                             data={"csrf_token": token})
    assert published_.status_code == 303
    assert session.scalar(select(func.count()).select_from(GroupMember)) == 17
    overview = client.get(f"/organise/discussions/{discussion.id}")
    assert "Attendance week by week" in overview.get_data(as_text=True)
    group = forming.drafts_of(session, discussion)
    some = next(iter(group.values())).group_id
    assert client.get(f"/organise/discussions/{discussion.id}/groups/{some}").status_code == 200


def test_a_member_reaches_their_group_page_and_join_link_and_nobody_else_does(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    discussion = published(session, programme, 6, slots=["Tuesday 19:30"], threads=["Craft"])
    member = session.scalars(select(GroupMember)).first()
    assert member is not None
    site = current_site()
    token = access.issue_manage_token(session, site, member.sign_up.person)
    session.commit()
    page = client.get(f"/me/{token}/discussions/{discussion.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Chapters 1-4" in html and "What does a library owe its town?" in html
    # The reading plan is for people with a place: not on the public page.
    public = client.get(f"/discussions/{discussion.id}")
    assert public.status_code == 200 and "Chapters 1-4" not in public.get_data(as_text=True)
    assert group_page.join_token(site, member) in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert client.get(f"/me/{token}x/discussions/{discussion.id}").status_code == 404
    assert client.get(f"/me/{token}/discussions/{discussion.id + 1}").status_code == 404
    join = group_page.join_token(site, member)
    early = client.get(f"/groups/join/{join}")
    assert early.status_code == 409 and "opens" in early.get_data(as_text=True)
    assert client.get(f"/groups/join/{join[:-2]}xx").status_code == 404
    first = member.group.meetings[0].event
    first.starts_at = datetime.now(UTC) + timedelta(minutes=5)
    session.commit()
    entered = client.get(f"/groups/join/{join}")
    assert entered.status_code == 302 and entered.headers["Location"] == member.group.meeting_url
    left = client.post(f"/me/{token}/discussions/{discussion.id}/leave",
                       data={"csrf_token": csrf_token_from(html)})
    assert left.status_code == 303
    session.refresh(member)
    assert not member.is_active
    places = client.get(f"/me/{token}")
    assert re.search(r"The Library Book: your group", places.get_data(as_text=True))
