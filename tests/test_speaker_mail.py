"""E-mails to guests, facilitators and organisers as they arrive at a real SMTP server:
the "Please reply:" invitation in both zones with working buttons, the REQUEST on
accepting (read alike by ical.js and icalendar), a change of time, a cancellation, a
decline after accepting that tells the organisers, a withdrawal; and the demo's
invitation in the local mailbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events import demo, invitations, speaker_access
from events.changes import cancel_event, update_event
from events.invitations import InvitationPlan
from events.models import Event, Programme, Role
from tests.conftest import SmtpInbox, csrf_token_from
from tests.test_auth import make_organiser
from tests.test_invitations import deliver_all, itip
from tests.test_speaker_pages import SECRET_ROOM
from webapp.extensions import db
from webapp.mailer import drain_once
from webapp.site import current_site

# Tuesday 12 November 2030, 7:30 pm in Auckland: Monday 10:30 pm in Los Angeles.
START = datetime(2030, 11, 12, 6, 30, tzinfo=UTC)


def plain(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_after(label: str, text: str) -> str:
    return next(line.split(label, 1)[1].strip() for line in text.splitlines()
                if line.startswith(label))


def invite(event: Event, name: str, email: str, kind: str = "guest", **plan: object) -> Role:
    role = invitations.invite(db.session, event, InvitationPlan(kind, name, email, **plan)).role  # type: ignore[arg-type]
    db.session.commit()
    return role


def answer(client: FlaskClient, message: EmailMessage, choice: str, **fields: str) -> None:
    """Click the e-mail's button, then send the answer page's form."""
    url = path_of(link_after("Accept:" if choice == "accept" else "Decline:", plain(message)))
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url.split("?")[0], data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "answer": choice,
        "listed_publicly": "y", **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def test_the_invitation_asks_please_reply_in_both_zones_and_its_buttons_open_the_answer_page(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    event = make_event(title="Across the date line", starts_at=START)
    invite(event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    role = invite(event, "Whina Cooper", "whina@example.org", timezone="America/Los_Angeles",
                  message="We would love to hear your story.")
    [(_, message)] = [m for m in deliver_all(inbox) if m[0] == ["whina@example.org"]]
    assert message["To"] == "Whina Cooper <whina@example.org>"
    subject = " ".join(message["Subject"].split())
    assert subject == ("Please reply: will you be the guest at Across the date line? "
                       "(Mon 10:30 pm PST)")
    text = plain(message)
    for expected in ("When: Tue 7:30 pm NZDT = Mon 10:30 pm PST (the day before)",
                     "Tuesday 12 November 2030, 7:30 pm NZDT (Pacific/Auckland, the programme's",
                     "Monday 11 November 2030, 10:30 pm PST (America/Los_Angeles, your time)",
                     "Your part: guest", "- Kupe Te Ao, facilitator (invitation not answered yet)",
                     "We would love to hear your story."):
        assert expected in text, expected
    # Buttons in the HTML part, the same links in the text; no calendar yet.
    assert ">Accept</a>" in html(message) and ">Decline</a>" in html(message)
    assert all(part.get_content_type() != "text/calendar" for part in message.walk())
    assert SECRET_ROOM not in message.as_string() and "/speaker/join/" not in text
    client = app.test_client()
    accept = client.get(path_of(link_after("Accept:", text))).get_data(as_text=True)
    assert 'checked id="answer-0" name="answer" type="radio" value="accept"' in accept
    decline = client.get(path_of(link_after("Decline:", text))).get_data(as_text=True)
    assert 'checked id="answer-1" name="answer" type="radio" value="decline"' in decline
    # The footer's speaker page link opens her page.
    page = text.split("Your speaker page (all your events")[1].splitlines()[1].strip()
    assert client.get(path_of(page)).status_code == 200
    assert role.status.value == "invited"


def test_accepting_sends_a_request_with_the_speakers_own_join_link_read_by_both_parsers(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    event = make_event(title="Kōrero, tahi; 📚", starts_at=START, sequence=2)
    guest = invite(event, "Whina Cooper", "whina@example.org")
    chair = invite(event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    by_recipient = {rcpts[0]: message for rcpts, message in deliver_all(inbox)}
    client = app.test_client()
    answer(client, by_recipient["whina@example.org"], "accept", bio="Librarian.")
    answer(client, by_recipient["kupe@example.org"], "accept")
    arrived = deliver_all(inbox)
    entries = {rcpts[0]: (itip(rcpts, message, "REQUEST"), message)
               for rcpts, message in arrived}
    assert set(entries) == {"whina@example.org", "kupe@example.org"}
    site = current_site()
    for role, params_role in ((guest, "REQ-PARTICIPANT"), (chair, "CHAIR")):
        entry, message = entries[role.person.email]
        assert " ".join(message["Subject"].split()).startswith("Confirmed: you are the ")
        assert entry["uid"] == f"role-{role.id}@mingle.example.org"
        assert entry["sequence"] == 2  # the event's changes so far, the invitation's none
        assert entry["attendees"][0]["params"]["ROLE"] == params_role
        db.session.refresh(role)
        join = speaker_access.join_url(site, role)
        assert entry["location"] == join and [c["value"] for c in entry["conference"]] == [join]
        assert f"Join: {join}" in entry["description"]
        assert join in plain(message)
        assert "opens the meeting room from 60 minutes before the start" in plain(message)
    # The guest sees the facilitator's address; it is in her confirmation.
    assert "Kupe Te Ao, facilitator <kupe@example.org>" in plain(entries["whina@example.org"][1])


def test_a_change_of_time_and_a_cancellation_reach_accepted_speakers_only(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    event = make_event(starts_at=START)
    guest = invite(event, "Whina Cooper", "whina@example.org")
    invite(event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    [mail] = [m for r, m in deliver_all(inbox) if r == ["whina@example.org"]]
    answer(app.test_client(), mail, "accept")
    deliver_all(inbox)

    later = START + timedelta(days=1)
    update_event(db.session, event.id, starts_at=later)
    db.session.commit()
    [(rcpts, update)] = deliver_all(inbox)
    assert rcpts == ["whina@example.org"]  # Kupe has not answered: nothing to update
    entry = itip(rcpts, update, "REQUEST")
    assert (entry["uid"], entry["sequence"]) == (f"role-{guest.id}@mingle.example.org", 1)
    assert entry["dtstart"]["utc"] == later.isoformat().replace("+00:00", ".000Z")
    assert "Your join link stays the same" in plain(update)

    cancel_event(db.session, event.id, "Our guest's flight moved.")
    db.session.commit()
    [(rcpts, cancellation)] = deliver_all(inbox)
    entry = itip(rcpts, cancellation, "CANCEL")
    assert (entry["uid"], entry["sequence"], entry["status"]) == (
        f"role-{guest.id}@mingle.example.org", 2, "CANCELLED")
    assert "Our guest's flight moved." in plain(cancellation)


def test_declining_after_accepting_cancels_the_entry_and_tells_the_organisers_at_once(
        mail_app: tuple[Flask, SmtpInbox], session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    make_organiser(session, programme=programme)
    event = make_event(starts_at=START, title="Leading from any chair")
    guest = invite(event, "Whina Cooper", "whina@example.org")
    [(_, mail)] = deliver_all(inbox)
    client = app.test_client()
    answer(client, mail, "accept", display_name="Dr Whina Cooper")
    deliver_all(inbox)
    answer(client, mail, "decline", note="A family emergency, I am so sorry.")
    arrived = dict((rcpts[0], message) for rcpts, message in deliver_all(inbox))
    assert set(arrived) == {"whina@example.org", "ana@example.org"}
    entry = itip(["whina@example.org"], arrived["whina@example.org"], "CANCEL")
    assert (entry["uid"], entry["sequence"]) == (f"role-{guest.id}@mingle.example.org", 1)
    notice = arrived["ana@example.org"]
    assert " ".join(notice["Subject"].split()) == (
        "Speaker cancelled: Dr Whina Cooper can no longer be guest at Leading from any chair")
    assert "A family emergency, I am so sorry." in plain(notice)
    assert f"/organise/events/{event.id}" in plain(notice)
    # The organisers' notice carries no key of the speaker's.
    assert "/speaker/" not in notice.as_string()
    assert all(part.get_content_type() != "text/calendar" for part in notice.walk())


def test_withdrawing_cancels_an_accepted_speakers_entry_and_only_tells_a_pending_one(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    event = make_event(starts_at=START)
    guest = invite(event, "Whina Cooper", "whina@example.org")
    pending = invite(event, "Kupe Te Ao", "kupe@example.org", "facilitator")
    [mail] = [m for r, m in deliver_all(inbox) if r == ["whina@example.org"]]
    answer(app.test_client(), mail, "accept")
    deliver_all(inbox)
    invitations.withdraw(db.session, guest)
    invitations.withdraw(db.session, pending)
    db.session.commit()
    arrived = dict((rcpts[0], message) for rcpts, message in deliver_all(inbox))
    itip(["whina@example.org"], arrived["whina@example.org"], "CANCEL")
    assert " ".join(arrived["kupe@example.org"]["Subject"].split()).startswith(
        "Invitation withdrawn:")
    assert all(part.get_content_type() != "text/calendar"
               for part in arrived["kupe@example.org"].walk())


def test_the_demo_leaves_a_pending_invitation_in_the_local_mailbox_that_leads_to_the_answer(
        app_factory: Callable[..., Flask], session: Session) -> None:
    file_app = app_factory(MAIL_SERVER="")
    with file_app.app_context():
        demo.seed_demo(db.session)
        db.session.commit()
        sent, failed = drain_once()
        assert failed == 0 and sent >= 3
        client = file_app.test_client()
        listing = client.get("/dev/mailbox").get_data(as_text=True)
        assert "Please reply: will you be the guest at Mentoring across institutions?" in listing
        assert "Confirmed: you are the guest at Changing a library from the front desk" in listing
        files = sorted(Path(file_app.config["MAIL_DIR"]).glob("*-speaker_invitation.eml"))
        shown = client.get(f"/dev/mailbox/{files[-1].stem}").get_data(as_text=True)
        assert "sione.taufa@example.org" in shown
        accept = link_after("Accept:", shown.replace("&amp;", "&").replace("&#61;", "="))
        page = client.get(path_of(accept))
        assert page.status_code == 200
        # 7:30 pm in Auckland is always the evening before in Los Angeles.
        assert "PST (the day before)" in page.get_data(as_text=True) or \
            "PDT (the day before)" in page.get_data(as_text=True)
