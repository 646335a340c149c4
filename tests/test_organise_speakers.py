"""The organiser's side of speakers: invite from the event's page, see every invitation's
state, send again, withdraw, record a yes on their behalf, invite again; the warning
about someone engaged elsewhere at the time; briefings with the run-sheet template."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.briefings import RUN_SHEET, Briefing
from events.models import Event, InvitationStatus, OutboxMessage, Person, Role, Series
from tests.test_organise_planning import organiser_client, post  # noqa: F401
from tests.test_speaker_pages import text_of


def outbox(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(m.kind, m.recipient_email) for m in session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id))]


def page_text(client: FlaskClient, event: Event) -> str:
    return unescape(client.get(f"/organise/events/{event.id}").get_data(as_text=True))


def test_an_organiser_invites_with_a_zone_and_a_message_and_follows_up(
        organiser_client: FlaskClient, session: Session,  # noqa: F811
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    response = post(organiser_client, f"/organise/events/{event.id}/invitations", kind="guest",
                    name="Whina Cooper", email="Whina@Example.org",
                    timezone="America/Los_Angeles", message="We'd love your story.")
    assert response.status_code == 303
    role = session.scalars(select(Role)).one()
    assert (role.person.email, role.person.timezone, role.message) == (
        "whina@example.org", "America/Los_Angeles", "We'd love your story.")
    html = page_text(organiser_client, event)
    assert "The invitation to Whina Cooper as guest is on its way." in html
    assert "America/Los_Angeles" in html and "Invited" in html
    for label in ("Send again", "Mark accepted", "Withdraw"):
        assert f">{label}<span" in html
    base = f"/organise/events/{event.id}/invitations/{role.id}"
    steps = [("resend", InvitationStatus.invited, "speaker_invitation"),
             ("accept", InvitationStatus.accepted, "speaker_accepted"),
             ("withdraw", InvitationStatus.withdrawn, "speaker_withdrawn"),
             ("invite-again", InvitationStatus.invited, "speaker_invitation")]
    for action, status, kind in steps:
        assert post(organiser_client, f"{base}/{action}").status_code == 303, action
        session.refresh(role)
        assert role.status == status
        assert outbox(session)[-1] == (kind, "whina@example.org")
    assert post(organiser_client, f"{base}/accept").status_code == 303
    assert "Accepted on their behalf" in text_of(page_text(organiser_client, event))
    # A move the table refuses is shown on the page with its status, nothing changed.
    refused = post(organiser_client, f"{base}/resend")
    assert refused.status_code == 409
    assert "An invitation that is accepted cannot become invited." in unescape(
        refused.get_data(as_text=True))


def test_a_yes_by_other_means_is_recorded_at_once_and_bad_input_is_shown_beside_its_field(
        organiser_client: FlaskClient, session: Session,  # noqa: F811
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    for field, data in (("timezone", {"email": "kupe@example.org", "timezone": "Mars/Olympus"}),
                        ("email", {"email": "not-an-address"})):
        refused = post(organiser_client, f"/organise/events/{event.id}/invitations",
                       kind="guest", name="Kupe", **data)
        assert refused.status_code == 422
        assert f'id="{field}-error"' in refused.get_data(as_text=True)
    assert session.scalars(select(Role)).all() == [] and outbox(session) == []
    done = post(organiser_client, f"/organise/events/{event.id}/invitations",
                kind="facilitator", name="Kupe Te Ao", email="kupe@example.org",
                already_accepted="y")
    assert done.status_code == 303
    role = session.scalars(select(Role)).one()
    assert role.status == InvitationStatus.accepted and role.accepted_on_behalf
    assert outbox(session) == [("speaker_accepted", "kupe@example.org")]


def test_inviting_someone_engaged_at_an_overlapping_event_warns_the_organiser(
        organiser_client: FlaskClient, session: Session,  # noqa: F811
        make_event: Callable[..., Event]) -> None:
    first = make_event(title="First chat")
    second = make_event(title="Second chat", starts_at=first.starts_at + timedelta(minutes=10))
    assert post(organiser_client, f"/organise/events/{first.id}/invitations", kind="guest",
                name="Whina Cooper", email="whina@example.org").status_code == 303
    response = post(organiser_client, f"/organise/events/{second.id}/invitations",
                    kind="facilitator", name="Whina Cooper", email="whina@example.org")
    assert response.status_code == 303
    warning = ("Whina Cooper is also guest at “First chat”, which overlaps this event "
               "(that invitation is not answered yet).")
    html = page_text(organiser_client, second)
    # Flashed once on arrival, and among the page's warnings for as long as it holds.
    assert html.count(warning) == 2
    assert page_text(organiser_client, second).count(warning) == 1


def test_briefings_start_from_the_run_sheet_and_reach_the_events_they_are_for(
        organiser_client: FlaskClient, session: Session,  # noqa: F811
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    series = Series(programme=event.programme, title="Leading")
    event.series = series
    sibling = make_event(title="Sibling", series=series)
    other = make_event(title="Elsewhere")
    session.commit()
    path = f"/organise/events/{event.id}/briefings/new"
    form = unescape(organiser_client.get(path).get_data(as_text=True))
    assert "Start from the run sheet for a 30-minute conversation" in form
    assert "Every event of the series Leading" in form
    filled = post(organiser_client, path, action="run_sheet", scope="series", body="")
    assert filled.status_code == 200
    assert "| 5 to 20 | The conversation" in unescape(filled.get_data(as_text=True))
    assert post(organiser_client, path, action="save", scope="series",
                body=RUN_SHEET + "\n<script>alert(1)</script>").status_code == 303
    assert post(organiser_client, path, action="save", scope="event",
                body="Only for this one.").status_code == 303
    empty = post(organiser_client, f"/organise/events/{other.id}/briefings/new",
                 action="save", scope="series", body="x")
    assert empty.status_code == 422 and "in no series" in empty.get_data(as_text=True)

    html = organiser_client.get(f"/organise/events/{sibling.id}").get_data(as_text=True)
    assert "Run sheet: a 30-minute conversation" in html and "Only for this one." not in html
    assert "<script>alert(1)" not in html
    assert "Run sheet" not in organiser_client.get(f"/organise/events/{other.id}").get_data(
        as_text=True)
    briefing = session.scalars(select(Briefing).where(Briefing.event_id == event.id)).one()
    edit = f"/organise/events/{event.id}/briefings/{briefing.id}/edit"
    assert post(organiser_client, edit, action="save", body="Changed.").status_code == 303
    session.refresh(briefing)
    assert briefing.body == "Changed."
    # Not for the sibling: edited from its page, it is not found.
    assert organiser_client.get(f"/organise/events/{sibling.id}/briefings/{briefing.id}/edit"
                                ).status_code == 404
    assert post(organiser_client, f"/organise/events/{event.id}/briefings/{briefing.id}/delete"
                ).status_code == 303
    assert session.scalars(select(Briefing)).all()[0].series_id == series.id


def test_the_invitations_table_shows_answers_notes_and_consent(
        organiser_client: FlaskClient, session: Session,  # noqa: F811
        make_event: Callable[..., Event]) -> None:
    event = make_event(recorded=True)
    person = Person(name="Whina Cooper", email="whina@example.org")
    session.add(Role(event=event, person=person, kind="guest", status=InvitationStatus.accepted,
                     recording_consent=False, listed_publicly=False, display_name="Dr W. Cooper",
                     note="Happy to help."))
    session.commit()
    html = text_of(page_text(organiser_client, event))
    for expected in ("Dr W. Cooper", "(Whina Cooper)", "does not agree to the recording",
                     "not listed on the public page", "Note: Happy to help."):
        assert expected in html, expected
