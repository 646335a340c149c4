"""A speaker's own pages: their schedule, answering an invitation, their feed, their join
link and "lost your link?"; each refuses a wrong key, reveals nothing, and never shows
a participant's name or e-mail."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import access, booking, briefings, invitations, speaker_access
from events.invitations import Acceptance, InvitationPlan
from events.models import (
    Event,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    Series,
)
from tests.conftest import csrf_token_from
from tests.icaljs.run import parse as icaljs
from webapp import mailer
from webapp.site import current_site

if TYPE_CHECKING:
    from tests.test_statement_counts import World

SECRET_ROOM = "secret-room-4417"
PARTICIPANTS = ("Ada Lovelace", "ada@example.org", "Bo Waiting", "bo@example.org")
NOTHING = "There is nothing at this address."


def speaker_token(session: Session, person: Person) -> str:
    """The person's speaker token, issued (as sending an e-mail would)."""
    token = speaker_access.issue_speaker_token(session, current_site(),
                                               speaker_access.link_for(session, person))
    session.commit()
    return token


def invite(session: Session, event: Event, name: str, email: str, kind: str = "guest",
           **plan: object) -> Role:
    role = invitations.invite(session, event, InvitationPlan(kind, name, email, **plan)).role  # type: ignore[arg-type]
    session.commit()
    return role


@dataclass
class Stage:
    """Whina (in Los Angeles) is the guest of ``event`` with Kupe facilitating; Ada has a
    seat there and Bo waits; Kupe alone is on ``elsewhere``; Whina declined ``declined``
    and was withdrawn from ``withdrawn``, and is still to answer ``pending``."""

    event: Event
    elsewhere: Event
    pending: Event
    guest: Role
    facilitator: Role
    declined: Role
    withdrawn: Role
    invitation: Role
    token: str


def stage(session: Session, make_event: Callable[..., Event]) -> Stage:
    event = make_event(title="Leading from any chair", capacity=1)
    guest = invite(session, event, "Whina Cooper", "whina@example.org",
                   timezone="America/Los_Angeles")
    facilitator = invite(session, event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    invitations.accept(session, guest, Acceptance(bio="Librarian."))
    invitations.accept(session, facilitator, Acceptance())
    booking.register(session, event.id, PARTICIPANTS[0], PARTICIPANTS[1])
    booking.register(session, event.id, PARTICIPANTS[2], PARTICIPANTS[3])
    briefings.write_briefing(session, event, "event",
                             "**Be early.** <script>alert(1)</script> Bring one story.")
    elsewhere = make_event(title="Kupe's other session")
    invite(session, elsewhere, "Kupe Te Ao", "kupe@example.org", "facilitator")
    declined = invite(session, make_event(title="Declined talk"), "Whina Cooper",
                      "whina@example.org")
    invitations.decline(session, declined, "Travelling.")
    withdrawn = invite(session, make_event(title="Withdrawn talk"), "Whina Cooper",
                       "whina@example.org")
    invitations.accept(session, withdrawn, Acceptance())
    invitations.withdraw(session, withdrawn)
    pending = make_event(title="Still to answer")
    invitation = invite(session, pending, "Whina Cooper", "whina@example.org")
    session.commit()
    return Stage(event, elsewhere, pending, guest, facilitator, declined, withdrawn, invitation,
                 speaker_token(session, guest.person))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_speaker_token_has_256_bits_and_only_its_hash_is_stored(
        session: Session, make_event: Callable[..., Event]) -> None:
    role = invite(session, make_event(), "Whina Cooper", "whina@example.org")
    token = speaker_token(session, role.person)
    link = session.get(speaker_access.SpeakerLink, role.person_id)
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (link.nonce, link.token_hash)
    assert token != access.manage_token(current_site(), role.person)


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500, "²³"])
def test_a_wrong_token_gets_a_plain_404_that_reveals_nothing(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        token: str) -> None:
    scene = stage(session, make_event)
    for path in (f"/speaker/{token}", f"/speaker/{token}/calendar.ics",
                 f"/speaker/{token}/invitations/{scene.guest.id}",
                 f"/speaker/join/{token}", f"/speaker/join/{scene.guest.id}-{token}"):
        response = client.get(path)
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        assert "nothing at this address" in body or "join link is not valid" in body
        assert "Whina" not in body and "Leading from any chair" not in body


def test_a_manage_token_never_opens_a_speaker_page_nor_a_speaker_token_a_participants(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    # Whina also takes a seat somewhere, so she has a manage link too.
    place = booking.register(session, scene.elsewhere.id, "Whina Cooper",
                             "whina@example.org").registration
    manage = access.issue_manage_token(session, current_site(), place.person)
    session.commit()
    assert client.get(f"/me/{manage}").status_code == 200
    assert client.get(f"/speaker/{scene.token}").status_code == 200
    for path in (f"/speaker/{manage}", f"/speaker/{manage}/calendar.ics",
                 f"/me/{scene.token}", f"/me/{scene.token}/calendar.ics"):
        assert client.get(path).status_code == 404, path
    # Nor does a participant's join token open a speaker's room, or the other way round.
    assert client.get(f"/speaker/join/{access.join_token(current_site(), place)}"
                      ).status_code == 404
    assert client.get(f"/join/{speaker_access.join_token(current_site(), scene.guest)}"
                      ).status_code == 404


def test_one_speakers_token_shows_only_their_own_events_and_invitations(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    page = client.get(f"/speaker/{scene.token}").get_data(as_text=True)
    assert "Leading from any chair" in page and "Kupe&#39;s other session" not in page
    others = session.scalars(select(Role).where(Role.person_id != scene.guest.person_id)).all()
    for role in others:
        for method in ("get", "post"):
            response = client.open(f"/speaker/{scene.token}/invitations/{role.id}",
                                   method=method.upper(),
                                   data={"csrf_token": csrf_token_from(page),
                                         "answer": "decline"})
            assert response.status_code == 404
            assert "Kupe" not in response.get_data(as_text=True)
    session.expire_all()
    assert {role.status for role in others} == {InvitationStatus.accepted,
                                                InvitationStatus.invited}


def test_a_declined_or_withdrawn_invitation_shows_a_clear_page_and_no_meeting_link(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    for role, says in ((scene.declined, "You declined this invitation."),
                       (scene.withdrawn, "The organisers withdrew this invitation.")):
        response = client.get(f"/speaker/{scene.token}/invitations/{role.id}?answer=accept")
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and says in html
        assert "/speaker/join/" not in html and SECRET_ROOM not in html
        assert 'name="answer"' not in html
        join = client.get(f"/speaker/join/{speaker_access.join_token(current_site(), role)}")
        assert join.status_code == 409 and SECRET_ROOM not in join.get_data(as_text=True)
        assert says.rstrip(".") in join.get_data(as_text=True)
    page = text_of(client.get(f"/speaker/{scene.token}").get_data(as_text=True))
    assert "Declined talk: you declined" in page
    assert "Withdrawn talk: the organisers withdrew the invitation" in page


def test_no_participants_name_or_email_reaches_anything_a_speaker_sees(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    seen = [client.get(f"/speaker/{scene.token}").get_data(as_text=True),
            client.get(f"/speaker/{scene.token}/invitations/{scene.guest.id}").get_data(
                as_text=True),
            client.get(f"/speaker/{scene.token}/invitations/{scene.invitation.id}").get_data(
                as_text=True),
            client.get(f"/speaker/{scene.token}/calendar.ics").get_data(as_text=True)]
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.role_id.in_(
            [scene.guest.id, scene.declined.id, scene.withdrawn.id, scene.invitation.id]))):
        seen.append(mailer.render(message).as_string())
    assert len(seen) > 8
    for text in seen:
        for secret in (*PARTICIPANTS, SECRET_ROOM):
            assert secret not in text
    # Counts only.
    assert "RSVPs so far: 1 with a seat, 1 on the waitlist." in text_of(seen[0])


def test_the_page_shows_both_zones_the_part_the_facilitator_briefings_and_the_join_link(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    start = datetime(2030, 11, 12, 6, 30, tzinfo=UTC)  # Tue 7:30 pm NZDT, Mon 10:30 pm PST
    event = make_event(title="Across the date line", starts_at=start)
    role = invite(session, event, "Whina Cooper", "whina@example.org",
                  timezone="America/Los_Angeles")
    chair = invite(session, event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    briefings.write_briefing(session, event, "programme", "Programme note.")
    briefings.write_briefing(session, event, "event", "**Be early.** <script>x()</script>")
    token = speaker_token(session, role.person)

    before = text_of(client.get(f"/speaker/{token}").get_data(as_text=True))
    assert "Invitations waiting for your answer" in before
    assert "Tue 7:30 pm NZDT = Mon 10:30 pm PST (the day before)" in before
    assert "Kupe Te Ao (facilitator, not confirmed yet)" in before
    assert "Be early" not in before and "/speaker/join/" not in before

    invitations.accept(session, role, Acceptance())
    invitations.accept(session, chair, Acceptance())
    session.commit()
    html = client.get(f"/speaker/{token}").get_data(as_text=True)
    after = text_of(html)
    assert "You are the guest" in after
    assert "Monday 11 November 2030, 10:30 pm PST" in after
    assert "Tuesday 12 November 2030, 7:30 pm NZDT" in after
    assert 'href="mailto:kupe@example.org"' in html
    # Newest briefing first, rendered and sanitised.
    assert html.index("<strong>Be early.</strong>") < html.index("Programme note.")
    assert "<script>" not in html
    assert speaker_access.join_token(current_site(), role) in html


def test_the_join_link_opens_the_room_sixty_minutes_before_for_speakers(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    event = make_event(starts_at=now + timedelta(minutes=45))
    role = invite(session, event, "Whina Cooper", "whina@example.org")
    invitations.accept(session, role, Acceptance())
    place = booking.register(session, event.id, "Ada", "ada@example.org").registration
    session.commit()
    # Forty-five minutes before: open for the speaker, not yet for the participant.
    speaker = client.get(f"/speaker/join/{speaker_access.join_token(current_site(), role)}")
    assert speaker.status_code == 302 and SECRET_ROOM in speaker.headers["Location"]
    participant = client.get(f"/join/{access.join_token(current_site(), place)}")
    assert participant.status_code == 409
    early = event.starts_at - timedelta(minutes=61)
    with pytest.raises(Exception, match="opens 60 minutes before"):
        speaker_access.meeting_room_for(role, early)
    assert speaker_access.meeting_room_for(role, early + timedelta(minutes=2)) == \
        event.meeting_url


def test_answering_through_the_page_with_one_click_from_the_email(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    path = f"/speaker/{scene.token}/invitations/{scene.invitation.id}"
    page = client.get(f"{path}?answer=accept").get_data(as_text=True)
    # The e-mail's button only chooses the answer; nothing changes on a GET
    # (mail scanners follow links).
    assert 'checked id="answer-0" name="answer" type="radio" value="accept"' in page
    assert session.get(Role, scene.invitation.id).status == InvitationStatus.invited
    csrf = csrf_token_from(page)
    assert client.post(path, data={"answer": "accept"}).status_code == 400
    missing = client.post(path, data={"csrf_token": csrf})
    assert missing.status_code == 422
    assert "Choose whether you accept or decline." in missing.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf, "answer": "accept",
                                   "display_name": "Dr Whina Cooper", "bio": "Librarian.",
                                   "listed_publicly": "y", "timezone": "Pacific/Auckland"})
    assert done.status_code == 303 and done.headers["Location"].endswith(scene.token)
    follow = text_of(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "Thank you: you are the guest of “Still to answer”" in follow
    session.expire_all()
    role = session.get(Role, scene.invitation.id)
    assert (role.status, role.display_name, role.person.timezone) == (
        InvitationStatus.accepted, "Dr Whina Cooper", "Pacific/Auckland")
    bad = client.post(path, data={"csrf_token": csrf, "answer": "accept",
                                  "timezone": "Mars/Olympus", "bio": "x" * 3000})
    assert bad.status_code == 422
    session.expire_all()
    # Nothing stored is lost to a refused change.
    assert session.get(Role, scene.invitation.id).bio == "Librarian."


def test_replacing_the_link_stops_the_old_one_and_sends_a_new_one(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    page = client.get(f"/speaker/{scene.token}").get_data(as_text=True)
    response = client.post(f"/speaker/{scene.token}/revoke",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 200 and "Link replaced" in response.get_data(as_text=True)
    assert client.get(f"/speaker/{scene.token}").status_code == 404
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "speaker_link")
                           ).one()
    assert sent.context == {"reason": "revoked"}
    new = speaker_token(session, scene.guest.person)
    assert new != scene.token and client.get(f"/speaker/{new}").status_code == 200
    # A participant's link of the same person is untouched.
    assert access.manage_token(current_site(), scene.guest.person) not in (new, scene.token)


def test_the_lost_link_form_answers_alike_for_anyone_and_mails_only_speakers(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    stage(session, make_event)
    csrf = csrf_token_from(client.get("/speaker").get_data(as_text=True))
    answers = []
    for email in ("WHINA@example.org", "nobody@example.org", "ada@example.org",
                  "whina@example.org"):
        response = client.post("/speaker", data={"csrf_token": csrf, "email": email})
        assert response.status_code == 200
        answers.append(response.get_data(as_text=True))
    assert len(set(answers)) == 1 and "Check your e-mail" in answers[0]
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "speaker_link")
                           ).all()
    assert [m.recipient_email for m in sent] == ["whina@example.org"]
    assert client.post("/speaker", data={"csrf_token": csrf, "email": "nope"}
                       ).status_code == 422


def test_the_feed_holds_accepted_events_with_the_speakers_join_link_and_nobody_else(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    response = client.get(f"/speaker/{scene.token}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    raw = response.data
    parsed = icaljs(raw)
    assert parsed["method"] == "PUBLISH" and parsed["calname"] == "Whina Cooper: speaking at Mingle"
    [entry] = parsed["events"]
    assert entry["uid"] == f"role-{scene.guest.id}@mingle.example.org"
    join = speaker_access.join_url(current_site(), scene.guest)
    assert entry["location"] == join and [c["value"] for c in entry["conference"]] == [join]
    assert entry["attendees"] == [] and entry["organizer"] is None
    [vevent] = Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["UID"]) == entry["uid"]
    assert SECRET_ROOM.encode() not in raw
    # A cancelled event stays, marked so, under the same UID.
    scene.event.status = EventStatus.cancelled
    session.commit()
    [cancelled] = icaljs(client.get(f"/speaker/{scene.token}/calendar.ics").data)["events"]
    assert cancelled["status"] == "CANCELLED" and cancelled["uid"] == entry["uid"]
    assert cancelled["conference"] == []


def test_speaker_pages_are_never_cached_nor_leak_their_address(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    scene = stage(session, make_event)
    for path in (f"/speaker/{scene.token}", f"/speaker/{scene.token}/invitations/{scene.guest.id}"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path


def speaker_world(session: Session, size: int) -> World:
    """For the statement counts: one speaker on ``size`` events, each with ``size``
    participants, another speaker, and a briefing; the speaker's token as ``token``."""
    from tests.test_statement_counts import World

    programme = Programme(slug="spoken", name="Spoken", timezone="Pacific/Auckland")
    series = Series(programme=programme, title="Spoken series")
    me = Person(name="Me Speaking", email="me@example.org", timezone="America/Los_Angeles")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    session.add_all([programme, series, me])
    events = []
    for n in range(size):
        event = Event(programme=programme, series=series, kind="conversation",
                      title=f"Spoken {n}", starts_at=start + timedelta(days=n),
                      timezone="Pacific/Auckland", capacity=size,
                      status=EventStatus.published, meeting_url="https://meet.example.net/r")
        event.roles = [Role(person=me, kind="guest", status=InvitationStatus.accepted),
                       Role(person=Person(name=f"Host {n}", email=f"h{n}@example.org"),
                            kind="facilitator", status=InvitationStatus.accepted)]
        session.add(event)
        events.append(event)
    session.flush()
    briefings.write_briefing(session, events[0], "series", "For the series.")
    for event in events:
        briefings.write_briefing(session, event, "event", f"For {event.title}.")
        statuses = [RegistrationStatus.confirmed, RegistrationStatus.waitlisted]
        session.add_all(Registration(event=event, status=statuses[k % 2],
                                     person=Person(name=f"P {event.id}-{k}",
                                                   email=f"p{event.id}-{k}@example.org"))
                        for k in range(size))
        event.seats_taken, event.waitlist_length = (size + 1) // 2, size // 2
    token = speaker_token(session, me)
    return World(programme, series, events[0], token, resource_id=0)
