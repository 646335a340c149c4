"""Planning without repetition, and big groups: each kind's own fields and defaults, people
on the create form, duplicating and repeating an event (across a change of the clocks),
the meeting platform's limit and the guidance for large groups."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import demo, event_copies, invitations, limits, pending_invitations, planning
from events.errors import InvalidInput
from events.invitations import Acceptance, InvitationPlan
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Programme,
    Role,
    RoleKind,
    Series,
)
from events.pending_invitations import PendingInvitation
from tests.conftest import SmtpInbox
from tests.test_auth import log_in, make_organiser
from tests.test_invitations import deliver_all
from tests.test_speaker_pages import invite, speaker_token
from tests.test_speaker_reminders import pass_at

ZONE = ZoneInfo("Pacific/Auckland")


@pytest.fixture
def organiser(client: FlaskClient, session: Session, programme: Programme) -> FlaskClient:
    """A client logged in as a member of the ``programme`` fixture's team."""
    make_organiser(session, programme=programme)
    client.environ_base["csrf"] = log_in(client)  # type: ignore[index]
    return client


def post(client: FlaskClient, path: str, **data: object):
    return client.post(path, data={"csrf_token": client.environ_base["csrf"], **data})


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def next_tuesday(at: time = time(19, 30)) -> datetime:
    day = datetime.now(ZONE).date() + timedelta(days=8)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, at)


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "save", "kind": "conversation", "series_id": "0", "title": "Leading",
        "starts_at": next_tuesday().strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "30",
        "capacity": "200", "waitlist_enabled": "y", "description": "A chat.",
        "send_invitations": "y"}
    data.update(overrides)
    return data


def queued(session: Session, kind: str) -> list[str]:
    return [m.recipient_email for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))]


# Each kind: its own fields and defaults --------------------------------------------

def test_each_kind_has_its_own_defaults_kept_in_limits(session: Session,
                                                       programme: Programme) -> None:
    start = next_tuesday()
    group = planning.create_event(session, programme, planning.EventPlan(
        kind="group_meeting", title="Cataloguing dilemmas", starts_at_local=start))
    talk = planning.create_event(session, programme, planning.EventPlan(
        kind="conversation", title="Leading", starts_at_local=start))
    assert (group.capacity, group.duration_minutes) == (limits.MAX_GROUP_SIZE, 60) == (8, 60)
    assert (talk.capacity, talk.duration_minutes) == (200, 30)


def test_a_new_event_asks_its_kind_first_then_shows_only_that_kinds_fields_and_defaults(
        organiser: FlaskClient, programme: Programme) -> None:
    path = f"/organise/programmes/{programme.id}/events/new"
    first = organiser.get(path).get_data(as_text=True)
    assert "What kind of event is it?" in first and 'name="title"' not in first
    assert f'href="{path}?kind=group_meeting"' in first

    pages = {kind.value: organiser.get(f"{path}?kind={kind.value}").get_data(as_text=True)
             for kind in EventKind}
    # No inline script (a strict Content-Security-Policy is coming): only static files.
    assert not any(re.search(r"<script(?![^>]*\bsrc=)", html) for html in pages.values())
    assert 'name="prompt_work"' in pages["showcase"]
    assert not any('name="prompt_work"' in pages[k] for k in ("conversation", "webinar",
                                                              "group_meeting"))
    assert 'name="book_title"' in pages["webinar"] and 'name="book_title"' not in pages[
        "conversation"]
    assert 'name="guest_email"' in pages["conversation"]
    assert 'name="guest_email"' not in pages["group_meeting"]
    assert 'name="facilitator_email"' in pages["group_meeting"]
    assert re.search(r'name="capacity"[^>]*value="8"', pages["group_meeting"])
    assert re.search(r'name="capacity"[^>]*value="200"', pages["conversation"])
    assert re.search(r'name="duration_minutes"[^>]*value="30"', pages["conversation"])


def test_fields_of_another_kind_are_not_kept(organiser: FlaskClient, session: Session,
                                             programme: Programme) -> None:
    response = post(organiser, f"/organise/programmes/{programme.id}/events/new",
                    **form_data(unit_name="Digital Collections", book_title="Middlemarch"))
    assert response.status_code == 303
    event = session.scalars(select(Event)).one()
    assert (event.kind, event.unit_name, event.book_title) == (EventKind.conversation, "", "")


def test_a_group_meeting_does_not_take_a_series_target_meant_for_big_conversations(
        session: Session, programme: Programme, make_event: Callable[..., Event],
        organiser: FlaskClient) -> None:
    series = Series(programme=programme, title="Leading", target_attendance=150)
    session.add(series)
    session.commit()
    talk = make_event(series=series)
    group = make_event(series=series, kind=EventKind.group_meeting, capacity=8)
    own = make_event(series=series, kind=EventKind.group_meeting, capacity=8,
                     target_attendance=6)
    assert (talk.target, group.target, own.target) == (150, None, 6)
    page = organiser.get(f"/organise/events/{group.id}").get_data(as_text=True)
    assert "<dt>Target</dt><dd>—</dd>" in page
    form = organiser.get(f"/organise/events/{group.id}/edit").get_data(as_text=True)
    assert "never the series" in form


# People on the create form --------------------------------------------------------

def test_the_guest_and_facilitator_named_on_the_create_form_are_invited_with_it(
        organiser: FlaskClient, session: Session, programme: Programme) -> None:
    response = post(organiser, f"/organise/programmes/{programme.id}/events/new", **form_data(
        guest_name="Aroha Ngata", guest_email="aroha@example.org",
        facilitator_name="Kate Wilson", facilitator_email="kate@example.org"))
    assert response.status_code == 303
    event = session.scalars(select(Event)).one()
    assert sorted((r.kind.value, r.person.email, r.status.value) for r in event.roles) == [
        ("facilitator", "kate@example.org", "invited"), ("guest", "aroha@example.org",
                                                         "invited")]
    assert sorted(queued(session, "speaker_invitation")) == ["aroha@example.org",
                                                             "kate@example.org"]


def test_a_bad_address_on_the_create_form_saves_neither_the_event_nor_anyone(
        organiser: FlaskClient, session: Session, programme: Programme) -> None:
    response = post(organiser, f"/organise/programmes/{programme.id}/events/new", **form_data(
        guest_name="Aroha Ngata", guest_email="aroha@example.org",
        facilitator_name="Kate Wilson", facilitator_email="kate at example"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="facilitator_email-error"' in html and 'value="Aroha Ngata"' in html
    assert (count(session, Event), count(session, Role), count(session, OutboxMessage)) == (
        0, 0, 0)


def test_unticking_send_keeps_the_invitations_waiting_until_the_organiser_sends_them(
        organiser: FlaskClient, session: Session, programme: Programme) -> None:
    data = form_data(kind="group_meeting", capacity="8", facilitator_name="Kate Wilson",
                     facilitator_email="kate@example.org")
    del data["send_invitations"]
    assert post(organiser, f"/organise/programmes/{programme.id}/events/new",
                **data).status_code == 303
    event = session.scalars(select(Event)).one()
    assert (count(session, Role), count(session, OutboxMessage)) == (0, 0)
    page = organiser.get(f"/organise/events/{event.id}").get_data(as_text=True)
    assert "Invitations not sent yet" in page and "Kate Wilson (kate@example.org)" in page
    sent = post(organiser, f"/organise/events/{event.id}/pending-invitations/send")
    assert sent.status_code == 303
    assert queued(session, "speaker_invitation") == ["kate@example.org"]
    assert count(session, PendingInvitation) == 0


# Duplicate and repeat -------------------------------------------------------------

@pytest.fixture
def showcase(session: Session, make_event: Callable[..., Event],
             add_role: Callable[..., Role]) -> Event:
    event = make_event(
        kind=EventKind.showcase, title="Showcase: Digital Collections", duration_minutes=45,
        capacity=120, description="One unit shows its **work**.", target_attendance=40,
        unit_name="Digital Collections", prompt_work="Scanning", prompt_challenges="Rights",
        prompt_direction="A shared platform", recorded=True,
        starts_at=datetime.combine(next_tuesday().date(), time(19, 30), ZONE).astimezone(UTC))
    add_role(event, RoleKind.presenter, "Hemi Walker", "hemi@example.org",
             InvitationStatus.accepted)
    add_role(event, RoleKind.facilitator, "Kate Wilson", "kate@example.org")
    add_role(event, RoleKind.guest, "Said No", "no@example.org", InvitationStatus.declined)
    return event


def test_a_duplicate_keeps_what_was_written_and_its_people_wait_unsent(
        organiser: FlaskClient, session: Session, showcase: Event) -> None:
    form = organiser.get(f"/organise/events/{showcase.id}/duplicate").get_data(as_text=True)
    week_later = (showcase.local_start + timedelta(weeks=1)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{week_later}"' in form
    assert "Hemi Walker as presenter" in form and "Said No" not in form
    new_start = (showcase.local_start + timedelta(weeks=5)).replace(hour=18, minute=0)
    response = post(organiser, f"/organise/events/{showcase.id}/duplicate",
                    title="Showcase: Digital Collections, again",
                    starts_at=new_start.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 303
    copy = session.scalars(select(Event).where(Event.id != showcase.id)).one()
    kept = ("kind", "description", "duration_minutes", "capacity", "target_attendance",
            "unit_name", "prompt_work", "prompt_challenges", "prompt_direction", "recorded",
            "meeting_url", "waitlist_enabled", "series_id")
    assert {name: getattr(copy, name) for name in kept} == {
        name: getattr(showcase, name) for name in kept}
    assert (copy.title, copy.status, copy.local_start.replace(tzinfo=None)) == (
        "Showcase: Digital Collections, again", EventStatus.draft,
        new_start.replace(tzinfo=None))
    assert copy.roles == []
    assert [(p.kind, p.email) for p in pending_invitations.pending_for(session, copy)] == [
        (RoleKind.presenter, "hemi@example.org"), (RoleKind.facilitator, "kate@example.org")]
    assert count(session, OutboxMessage) == 0
    assert "2 invitations wait for you to send them" in organiser.get(
        response.headers["Location"]).get_data(as_text=True)


def test_a_duplicate_needs_a_start_and_saves_nothing_without_one(
        organiser: FlaskClient, session: Session, showcase: Event) -> None:
    response = post(organiser, f"/organise/events/{showcase.id}/duplicate",
                    title="Again", starts_at="")
    assert response.status_code == 422
    assert "Enter the date and time it starts." in response.get_data(as_text=True)
    assert (count(session, Event), count(session, PendingInvitation)) == (1, 0)


def test_one_pending_invitation_can_be_dropped_and_the_rest_sent(
        organiser: FlaskClient, session: Session, showcase: Event) -> None:
    copy = event_copies.duplicate(session, showcase, event_copies.copy_plan_for(showcase))
    session.commit()
    _, kate = pending_invitations.pending_for(session, copy)
    post(organiser, f"/organise/events/{copy.id}/pending-invitations/{kate.id}/discard")
    post(organiser, f"/organise/events/{copy.id}/pending-invitations/send")
    assert [(r.person.email, r.kind, r.status) for r in copy.roles] == [
        ("hemi@example.org", RoleKind.presenter, InvitationStatus.invited)]
    assert queued(session, "speaker_invitation") == ["hemi@example.org"]
    again = post(organiser, f"/organise/events/{copy.id}/pending-invitations/send")
    assert again.status_code == 404


def test_a_copy_of_a_copy_still_carries_the_invitations_not_sent_yet(
        session: Session, showcase: Event) -> None:
    first = event_copies.duplicate(session, showcase, event_copies.copy_plan_for(showcase))
    second = event_copies.duplicate(session, first, event_copies.copy_plan_for(first))
    session.commit()
    assert [p.email for p in pending_invitations.pending_for(session, second)] == [
        "hemi@example.org", "kate@example.org"]
    assert (second.local_start.replace(tzinfo=None)
            - showcase.local_start.replace(tzinfo=None)) == timedelta(weeks=2)


def test_a_weekly_run_keeps_the_programmes_wall_clock_time_across_the_change_of_clocks(
        session: Session, programme: Programme, make_event: Callable[..., Event]) -> None:
    # New Zealand's clocks go back an hour on the first Sunday of April (4 April 2027).
    year = datetime.now(UTC).year + 1
    first_sunday = next(datetime(year, 4, day) for day in range(1, 8)
                        if datetime(year, 4, day).weekday() == 6)
    start = datetime.combine((first_sunday - timedelta(days=12)).date(), time(19, 30))
    event = make_event(starts_at=start.replace(tzinfo=ZONE).astimezone(UTC))
    copies = event_copies.repeat_weekly(session, event, 3)
    session.commit()
    assert [c.local_start.strftime("%a %H:%M") for c in copies] == [
        event.local_start.strftime("%a %H:%M")] * 3
    assert [c.starts_at - event.starts_at for c in copies] == [
        timedelta(weeks=1), timedelta(weeks=2, hours=1), timedelta(weeks=3, hours=1)]
    assert {c.local_start.utcoffset() for c in copies} == {timedelta(hours=13),
                                                           timedelta(hours=12)}


def test_repeat_weekly_from_the_page_creates_every_draft_in_one_step(
        organiser: FlaskClient, session: Session, showcase: Event) -> None:
    response = post(organiser, f"/organise/events/{showcase.id}/repeat", weeks="4")
    assert response.status_code == 303
    copies = session.scalars(select(Event).where(Event.id != showcase.id)
                             .order_by(Event.starts_at)).all()
    assert [c.local_start.replace(tzinfo=None) for c in copies] == [
        showcase.local_start.replace(tzinfo=None) + timedelta(weeks=n) for n in (1, 2, 3, 4)]
    assert len(copies) == 4 and {c.status for c in copies} == {EventStatus.draft}
    assert count(session, PendingInvitation) == 8 and count(session, OutboxMessage) == 0
    assert "4 weekly drafts" in organiser.get(response.headers["Location"]).get_data(
        as_text=True)


@pytest.mark.parametrize("weeks", ["0", "27", "many"])
def test_a_repeat_out_of_bounds_is_explained_and_creates_nothing(
        organiser: FlaskClient, session: Session, showcase: Event, weeks: str) -> None:
    response = post(organiser, f"/organise/events/{showcase.id}/repeat", weeks=weeks)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="weeks-error"' in html
    assert count(session, Event) == 1


def test_repeat_refuses_a_count_outside_its_bounds_in_the_domain(
        session: Session, showcase: Event) -> None:
    with pytest.raises(InvalidInput, match="from 1 to 26"):
        event_copies.repeat_weekly(session, showcase, limits.REPEAT_WEEKS.high + 1)


def test_planning_pages_need_an_organiser_of_the_events_programme(
        client: FlaskClient, session: Session, showcase: Event) -> None:
    other = Programme(slug="other", name="Other", timezone="UTC")
    session.add(other)
    session.commit()
    paths = [("get", f"/organise/events/{showcase.id}/duplicate"),
             ("post", f"/organise/events/{showcase.id}/duplicate"),
             ("post", f"/organise/events/{showcase.id}/repeat"),
             ("post", f"/organise/events/{showcase.id}/pending-invitations/send")]
    assert "/login" in client.get(paths[0][1]).headers["Location"]
    for _, path in paths[1:]:
        # Refused before anything is looked at: no session, so no valid CSRF token either.
        assert client.post(path, data={"weeks": "2"}).status_code in (302, 400)
    make_organiser(session, email="stranger@example.org", programme=other)
    token = log_in(client, "stranger@example.org")
    for method, path in paths:
        response = getattr(client, method)(path, data={"csrf_token": token, "weeks": "2"})
        assert response.status_code == 404, path
    assert count(session, Event) == 1
    make_organiser(session, email="ana@example.org", programme=showcase.programme)
    log_in(client)
    refused = client.post(f"/organise/events/{showcase.id}/repeat", data={"weeks": "2"})
    assert refused.status_code == 400 and count(session, Event) == 1


# Big groups -----------------------------------------------------------------------

def test_the_programme_records_its_platforms_limit_and_bigger_events_are_flagged(
        organiser: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    response = post(organiser, f"/organise/programmes/{programme.id}/edit",
                    name=programme.name, slug=programme.slug, timezone=programme.timezone,
                    after_hours_start="17:30", after_hours_end="21:30", reminder_offsets="60",
                    platform_participant_limit="100")
    assert response.status_code == 303 and programme.platform_participant_limit == 100
    big = make_event(capacity=150, status=EventStatus.draft)
    fits = make_event(capacity=100, status=EventStatus.draft)
    page = organiser.get(f"/organise/events/{big.id}").get_data(as_text=True)
    assert "More seats than your meeting platform holds" in page
    assert "lets 100 participants into one meeting" in page
    assert "More seats than" not in organiser.get(f"/organise/events/{fits.id}").get_data(
        as_text=True)
    form = organiser.get(f"/organise/events/{big.id}/edit").get_data(as_text=True)
    assert "150 seats is more than the 100 participants" in form
    bad = post(organiser, f"/organise/programmes/{programme.id}/edit", name=programme.name,
               slug=programme.slug, timezone=programme.timezone, after_hours_start="17:30",
               after_hours_end="21:30", reminder_offsets="60", platform_participant_limit="1")
    assert bad.status_code == 422 and programme.platform_participant_limit == 100


def test_an_event_for_more_than_fifty_shows_the_large_group_guidance(
        organiser: FlaskClient, make_event: Callable[..., Event]) -> None:
    large = make_event(capacity=limits.LARGE_GROUP + 1)
    small = make_event(capacity=limits.LARGE_GROUP)
    page = organiser.get(f"/organise/events/{large.id}").get_data(as_text=True)
    for words in ("webinar mode", "muted", "breakout rooms", "second facilitator"):
        assert words in page
    assert "breakout rooms" not in organiser.get(f"/organise/events/{small.id}").get_data(
        as_text=True)


def test_the_facilitators_briefing_of_a_large_event_carries_the_guidance(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    now = datetime.now(UTC).replace(microsecond=0)
    large = make_event(starts_at=now + timedelta(days=1), capacity=120)
    people = {}
    for kind, email in (("facilitator", "kate@example.org"), ("guest", "aroha@example.org")):
        role = invitations.invite(session, large, InvitationPlan(kind, email, email),
                                  now - timedelta(days=1)).role
        invitations.accept(session, role, Acceptance(), now - timedelta(days=1))
        people[email] = role
    session.commit()
    deliver_all(inbox)
    assert pass_at(session, now) == 2
    mails = {rcpts[0]: message for rcpts, message in deliver_all(inbox)}
    facilitator = mails["kate@example.org"]
    text = facilitator.get_body(preferencelist=("plain",)).get_content()
    html = facilitator.get_body(preferencelist=("html",)).get_content()
    assert "breakout rooms" in text and "second facilitator" in text
    assert "<li>Use the meeting platform" in html
    guest_text = mails["aroha@example.org"].get_body(preferencelist=("plain",)).get_content()
    assert "breakout rooms" not in guest_text


def test_the_demo_programme_has_a_platform_limit_that_flags_an_event(
        organiser: FlaskClient, session: Session) -> None:
    seeded = demo.seed_demo(session)
    session.commit()
    assert seeded.platform_participant_limit == 100
    flagged = [e for e in seeded.events if e.exceeds_platform_limit and e.is_large_group]
    assert flagged
    make_organiser(session, email="demo-check@example.org", programme=seeded)
    log_in(organiser, "demo-check@example.org")
    page = organiser.get(f"/organise/events/{flagged[0].id}").get_data(as_text=True)
    assert "More seats than your meeting platform holds" in page and "breakout rooms" in page


def test_the_facilitators_own_page_of_a_large_event_carries_the_guidance(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    large, small = make_event(capacity=200), make_event(capacity=20, title="Small")
    roles = [invite(session, event, "Kate Wilson", "kate@example.org", "facilitator")
             for event in (large, small)]
    guest = invite(session, large, "Aroha Ngata", "aroha@example.org")
    for role in [*roles, guest]:
        invitations.accept(session, role, Acceptance())
    session.commit()
    kate = client.get(f"/speaker/{speaker_token(session, roles[0].person)}")
    assert kate.get_data(as_text=True).count("breakout rooms") == 1
    aroha = client.get(f"/speaker/{speaker_token(session, guest.person)}")
    assert "breakout rooms" not in aroha.get_data(as_text=True)
