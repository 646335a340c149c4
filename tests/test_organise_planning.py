"""Planning a season: programmes, series, events of every kind, status, warnings, people."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, planning, scheduling
from events.errors import InvalidInput
from events.models import (
    Event,
    EventKind,
    EventStatus,
    OutboxMessage,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)
from events.people import person_for
from tests.test_auth import log_in, make_organiser

ZONE = ZoneInfo("Pacific/Auckland")


@pytest.fixture
def organiser_client(client: FlaskClient, session: Session, programme: Programme) -> FlaskClient:
    """A client logged in as a member of the ``programme`` fixture's team."""
    make_organiser(session, programme=programme)
    client.environ_base["csrf"] = log_in(client)  # type: ignore[index]
    return client


def post(client: FlaskClient, path: str, **data: object):
    return client.post(path, data={"csrf_token": client.environ_base["csrf"], **data})


def next_weekday(weekday: int, at: time) -> datetime:
    day = datetime.now(ZONE).date() + timedelta(days=8)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, at)


def event_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "save", "kind": "conversation", "series_id": "0",
        "title": "Leading from any chair",
        "starts_at": next_weekday(1, time(19, 30)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "", "capacity": "200", "waitlist_enabled": "y",
        "meeting_url": "https://meet.jit.si/leading-abc", "description": "A *chat*.",
    }
    data.update(overrides)
    return data


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_organiser_creates_a_programme_and_joins_its_team(
        client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    token = log_in(client)
    response = client.post("/organise/programmes/new", data={
        "csrf_token": token, "name": "Book Club", "slug": "book-club",
        "timezone": "Europe/London", "after_hours_start": "18:00", "after_hours_end": "21:00",
        "sender_name": "Book Club team", "reminder_offsets": "60, 1440"})
    assert response.status_code == 303
    programme = session.scalars(select(Programme)).one()
    assert (programme.timezone, programme.after_hours_start) == ("Europe/London", time(18))
    assert programme.weekends_open is False  # the box was not ticked
    assert programme.reminder_offsets == [1440, 60]
    assert "Book Club" in client.get("/organise/").get_data(as_text=True)


def test_an_invalid_programme_is_explained_beside_the_fields_and_not_stored(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    make_organiser(session)
    token = log_in(client)
    response = client.post("/organise/programmes/new", data={
        "csrf_token": token, "name": "", "slug": programme.slug, "timezone": "Mars/Olympus",
        "after_hours_start": "21:00", "after_hours_end": "18:00", "reminder_offsets": "soon"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error">Please enter the name.' in html
    assert 'aria-invalid="true"' in html and "Not a valid choice" in html
    assert count(session, Programme) == 1


def test_a_taken_short_name_is_refused_beside_its_field(organiser_client: FlaskClient,
                                                        session: Session,
                                                        programme: Programme) -> None:
    response = post(organiser_client, "/organise/programmes/new", name="Other",
                    slug=programme.slug, timezone="UTC", after_hours_start="17:00",
                    after_hours_end="21:00", reminder_offsets="60")
    assert response.status_code == 422
    assert 'id="slug-error">Another programme already uses that short name.' in \
        response.get_data(as_text=True)
    assert count(session, Programme) == 1


def test_series_has_a_target_and_bad_targets_are_refused(organiser_client: FlaskClient,
                                                         session: Session,
                                                         programme: Programme) -> None:
    path = f"/organise/programmes/{programme.id}/series/new"
    bad = post(organiser_client, path, title="Leading", target_attendance="0")
    assert bad.status_code == 422 and "from 1 to 1000" in bad.get_data(as_text=True)
    assert count(session, Series) == 0
    good = post(organiser_client, path, title="Leading", theme="Leadership",
                target_attendance="3")
    assert good.status_code == 303
    series = session.scalars(select(Series)).one()
    assert (series.title, series.target_attendance) == ("Leading", 3)


@pytest.mark.parametrize("kind, duration", [("conversation", 30), ("webinar", 60),
                                            ("showcase", 45), ("group_meeting", 60)])
def test_every_kind_of_event_is_created_as_a_draft_in_the_programme_zone(
        organiser_client: FlaskClient, session: Session, programme: Programme, kind: str,
        duration: int) -> None:
    local = next_weekday(2, time(18, 0))
    response = post(organiser_client, f"/organise/programmes/{programme.id}/events/new",
                    **event_data(kind=kind, starts_at=local.strftime("%Y-%m-%dT%H:%M"),
                                 unit_name="Digital Collections", prompt_work="Scanning",
                                 prompt_challenges="Rights", prompt_direction="Community"))
    assert response.status_code == 303
    event = session.scalars(select(Event)).one()
    assert event.kind == EventKind(kind) and event.status == EventStatus.draft
    assert event.duration_minutes == duration
    assert event.starts_at == local.replace(tzinfo=ZONE).astimezone(UTC)
    assert event.timezone == "Pacific/Auckland" and event.capacity == 200
    # The showcase's unit and prompts belong to showcases alone.
    assert (event.unit_name, event.prompt_challenges) == (
        ("Digital Collections", "Rights") if kind == "showcase" else ("", ""))


@pytest.mark.parametrize("field, value, message", [
    ("capacity", "0", "from 1 to 1000"),
    ("capacity", "1001", "from 1 to 1000"),
    ("meeting_url", "javascript:alert(1)", "http:// or https://"),
    ("meeting_url", "ftp://files.example.org/room", "http:// or https://"),
    ("title", "", "Please enter the title."),
    ("starts_at", "", "Enter the date and time it starts."),
])
def test_invalid_events_are_explained_beside_the_field_and_not_stored(
        organiser_client: FlaskClient, session: Session, programme: Programme, field: str,
        value: str, message: str) -> None:
    response = post(organiser_client, f"/organise/programmes/{programme.id}/events/new",
                    **event_data(**{field: value}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), html
    assert count(session, Event) == 0


def test_times_skipped_or_repeated_by_daylight_saving_are_refused_clearly() -> None:
    # Pacific/Auckland: clocks go forward at 02:00 on 2026-09-27, back at 03:00 on 2026-04-05.
    with pytest.raises(InvalidInput, match="does not exist in Pacific/Auckland"):
        scheduling.to_utc(datetime(2026, 9, 27, 2, 30), "Pacific/Auckland")
    with pytest.raises(InvalidInput, match="happens twice in Pacific/Auckland"):
        scheduling.to_utc(datetime(2026, 4, 5, 2, 30), "Pacific/Auckland")
    assert scheduling.to_utc(datetime(2026, 4, 5, 19, 30), "Pacific/Auckland") == \
        datetime(2026, 4, 5, 7, 30, tzinfo=UTC)


def test_a_nonexistent_local_start_is_refused_on_the_form(
        organiser_client: FlaskClient, session: Session, programme: Programme) -> None:
    response = post(organiser_client, f"/organise/programmes/{programme.id}/events/new",
                    **event_data(starts_at="2026-09-27T02:30"))
    assert response.status_code == 422
    assert "the clocks go forward then" in response.get_data(as_text=True)
    assert count(session, Event) == 0


def test_the_room_button_proposes_a_fresh_hard_to_guess_jitsi_room_without_saving(
        organiser_client: FlaskClient, session: Session, programme: Programme) -> None:
    path = f"/organise/programmes/{programme.id}/events/new"
    rooms = set()
    for _ in range(2):
        html = post(organiser_client, path, **event_data(action="propose_room",
                                                         meeting_url="")).get_data(as_text=True)
        found = re.search(r'value="(https://meet\.jit\.si/leading-from-any-chair-[a-z2-7]{16})"',
                          html)
        assert found, html
        rooms.add(found.group(1))
    assert len(rooms) == 2
    assert count(session, Event) == 0


def test_the_description_preview_renders_markdown_safely_without_saving(
        organiser_client: FlaskClient, session: Session, programme: Programme) -> None:
    html = post(organiser_client, f"/organise/programmes/{programme.id}/events/new",
                **event_data(action="preview",
                             description="**Bold** <script>alert(1)</script>")
                ).get_data(as_text=True)
    preview = html.split('id="preview-heading"', 1)[1]
    assert "<strong>Bold</strong>" in preview and "<script>" not in preview
    assert count(session, Event) == 0


def test_drafts_stay_hidden_until_published_then_reach_home_api_and_feed(
        organiser_client: FlaskClient, session: Session, programme: Programme) -> None:
    post(organiser_client, f"/organise/programmes/{programme.id}/events/new", **event_data())
    event = session.scalars(select(Event)).one()
    anonymous = organiser_client.application.test_client()
    assert "Leading from any chair" not in anonymous.get("/").get_data(as_text=True)
    assert anonymous.get(f"/events/{event.id}").status_code == 404
    assert anonymous.get(f"/api/v1/events/{event.id}").status_code == 404
    assert "Leading from any chair" not in anonymous.get("/calendar.ics").get_data(as_text=True)

    assert post(organiser_client, f"/organise/events/{event.id}/status",
                status="published").status_code == 303
    session.refresh(event)
    assert event.status == EventStatus.published
    assert "Leading from any chair" in anonymous.get("/").get_data(as_text=True)
    assert anonymous.get(f"/api/v1/events/{event.id}").status_code == 200
    assert "Leading from any chair" in anonymous.get("/calendar.ics").get_data(as_text=True)


def test_status_moves_only_forwards(session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(status=EventStatus.draft,
                       starts_at=datetime.now(UTC) - timedelta(hours=1))
    with pytest.raises(Exception, match="cannot become completed"):
        planning.change_status(session, event, EventStatus.completed)
    planning.change_status(session, event, EventStatus.published)
    planning.change_status(session, event, EventStatus.completed)
    with pytest.raises(Exception, match="cannot become published"):
        planning.change_status(session, event, EventStatus.published)


def test_editing_time_or_title_sends_participants_an_update(
        organiser_client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    session.add(Registration(event=event, person=person_for(session, "pat@example.org", "Pat"),
                             status=RegistrationStatus.confirmed))
    event.seats_taken = 1
    session.commit()
    local = scheduling.to_local(event.starts_at, "Pacific/Auckland") + timedelta(hours=1)
    response = post(organiser_client, f"/organise/events/{event.id}/edit",
                    **event_data(title="Leading, revisited",
                                 starts_at=local.strftime("%Y-%m-%dT%H:%M"),
                                 meeting_url=event.meeting_url))
    assert response.status_code == 303
    session.refresh(event)
    assert event.title == "Leading, revisited" and event.sequence == 1
    update = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "update")).one()
    assert update.recipient_email == "pat@example.org"
    assert set(update.context["changed"]) == {"title", "starts_at"}


def test_editing_only_the_description_sends_nothing(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(starts_at=datetime.now(UTC).replace(second=0, microsecond=0)
                       + timedelta(days=7))
    local = scheduling.to_local(event.starts_at, "Pacific/Auckland")
    response = post(organiser_client, f"/organise/events/{event.id}/edit",
                    **event_data(title=event.title, starts_at=local.strftime("%Y-%m-%dT%H:%M"),
                                 duration_minutes="30", description="New words",
                                 meeting_url=event.meeting_url))
    assert response.status_code == 303
    session.refresh(event)
    assert event.description == "New words" and event.sequence == 0
    assert count(session, OutboxMessage) == 0


def test_cancelling_a_published_event_needs_a_reason_and_tells_participants(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event()
    person = person_for(session, "pat@example.org", "Pat")
    session.add(Registration(event=event, person=person, status=RegistrationStatus.confirmed))
    session.commit()
    refused = post(organiser_client, f"/organise/events/{event.id}/cancel", reason=" ")
    assert refused.status_code == 422
    assert 'id="reason-error">Tell participants why' in refused.get_data(as_text=True)
    session.refresh(event)
    assert event.status == EventStatus.published

    done = post(organiser_client, f"/organise/events/{event.id}/cancel",
                reason="Our guest is unwell.")
    assert done.status_code == 303
    session.refresh(event)
    assert event.status == EventStatus.cancelled and event.cancel_reason == "Our guest is unwell."
    message = session.scalars(select(OutboxMessage)).one()
    assert message.kind == "event_cancelled" and message.context["reason"] == "Our guest is unwell."


def test_people_invited_to_an_event_are_stored_and_shown_publicly_once_accepted(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event()
    for kind, name in (("guest", "Aroha Ngata"), ("facilitator", "Kate Wilson")):
        response = post(organiser_client, f"/organise/events/{event.id}/invitations", kind=kind,
                        name=name, email=f"{name.split()[0].lower()}@example.org")
        assert response.status_code == 303
    again = post(organiser_client, f"/organise/events/{event.id}/invitations", kind="guest",
                 name="Aroha Ngata", email="AROHA@example.org")
    assert again.status_code == 422 and "already invited as guest" in again.get_data(as_text=True)
    roles = {r.person.name: r for r in session.scalars(select(Role))}
    assert sorted((r.kind, name) for name, r in roles.items()) == [
        (RoleKind.facilitator, "Kate Wilson"), (RoleKind.guest, "Aroha Ngata")]
    public = organiser_client.application.test_client()
    html = public.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Aroha Ngata" not in html and "Kate Wilson" not in html
    for role in roles.values():
        assert post(organiser_client, f"/organise/events/{event.id}/invitations/{role.id}/accept"
                    ).status_code == 303
    html = public.get(f"/events/{event.id}").get_data(as_text=True)
    assert "With Aroha Ngata, facilitated by Kate Wilson." in html
    assert "aroha@example.org" not in html


def test_warnings_name_the_zone_overlaps_and_double_booked_people(
        organiser_client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event], add_role: Callable[..., Role]) -> None:
    lunchtime = next_weekday(1, time(12, 0)).replace(tzinfo=ZONE).astimezone(UTC)
    first = make_event(title="Lunch chat", starts_at=lunchtime)
    second = make_event(title="Overlapping chat", starts_at=lunchtime + timedelta(minutes=15))
    add_role(first, RoleKind.guest, "Sione Taufa", "sione@example.org")
    session.add(Role(event=second, person=first.roles[0].person, kind=RoleKind.facilitator))
    session.commit()
    html = unescape(organiser_client.get(f"/organise/events/{first.id}").get_data(as_text=True))
    assert "in Pacific/Auckland is outside the programme's after-hours window" in html
    assert "Overlaps with “Overlapping chat”" in html
    assert "Sione Taufa is also facilitator at “Overlapping chat”" in html
    evening = make_event(title="Evening chat", status=EventStatus.draft,
                         starts_at=next_weekday(3, time(19, 0)).replace(tzinfo=ZONE))
    assert "after-hours window" not in organiser_client.get(
        f"/organise/events/{evening.id}").get_data(as_text=True)
    # Warnings, not blocks: the lunchtime draft can still be published.
    first.status = EventStatus.draft
    session.commit()
    assert post(organiser_client, f"/organise/events/{first.id}/status",
                status="published").status_code == 303
    session.refresh(first)
    assert first.status == EventStatus.published


def test_after_hours_window_respects_weekends_setting(programme: Programme) -> None:
    saturday_noon = next_weekday(5, time(12, 0)).replace(tzinfo=ZONE)
    assert scheduling.is_after_hours(programme, saturday_noon, 60)
    programme.weekends_open = False
    warning = scheduling.after_hours_warning(programme, saturday_noon, 60)
    assert warning is not None and "weekends closed" in warning


def test_raising_capacity_in_an_edit_seats_the_waitlist_in_order(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=1, starts_at=datetime.now(UTC).replace(second=0, microsecond=0)
                       + timedelta(days=7))
    for n in range(3):
        booking.register(session, event.id, f"Person {n}", f"p{n}@example.org")
    session.commit()
    local = scheduling.to_local(event.starts_at, "Pacific/Auckland")
    response = post(organiser_client, f"/organise/events/{event.id}/edit",
                    **event_data(title=event.title, starts_at=local.strftime("%Y-%m-%dT%H:%M"),
                                 duration_minutes="30", capacity="2",
                                 meeting_url=event.meeting_url))
    assert response.status_code == 303
    session.expire_all()
    assert {r.person.email: r.status for r in session.scalars(select(Registration))} == {
        "p0@example.org": RegistrationStatus.confirmed,
        "p1@example.org": RegistrationStatus.confirmed,
        "p2@example.org": RegistrationStatus.waitlisted}
