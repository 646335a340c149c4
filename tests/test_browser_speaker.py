"""A guest's journey in a real browser, from the e-mail to their page, with axe-core on
every speaker page and every page an e-mail links to: the invitation answer page, the
speaker page, a declined invitation, the lost-link form and its answer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from events import booking, briefings, invitations
from events.invitations import Acceptance, InvitationPlan
from events.models import Event, EventKind, EventStatus, InvitationStatus, Programme, Role
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.conftest import _empty_tables, app_config
from tests.icaljs.run import parse as icaljs
from webapp import create_app
from webapp.extensions import db
from webapp.mailer import drain_once

pytestmark = pytest.mark.browser

# Tuesday 12 November 2030, 7:30 pm in Auckland: Monday 10:30 pm in Los Angeles.
START = datetime(2030, 11, 12, 6, 30, tzinfo=UTC)


@dataclass
class Live:
    app: Flask
    base_url: str
    mail_dir: Path

    def mail_to(self, address: str, kind: str, about: str = "") -> EmailMessage:
        """The newest e-mail of ``kind`` (its subject naming ``about``) written to the local
        mailbox for ``address``."""
        for path in sorted(self.mail_dir.glob(f"*-{kind}.eml"), reverse=True):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if (message["To"].addresses[0].addr_spec == address
                    and about in " ".join(message["Subject"].split())):
                return message  # type: ignore[return-value]
        raise AssertionError(f"no {kind} e-mail to {address}")


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the module, writing e-mails to a local mailbox as ``make run`` does."""
    require_browser()
    folder = tmp_path_factory.mktemp("speaker-journey")
    app = create_app(app_config(database_url, folder, MAIL_SERVER=""))
    with serve(app) as base_url:
        # E-mails must link to this very server.
        app.config["BASE_URL"] = base_url
        with app.app_context():
            _empty_tables()
        yield Live(app, base_url, folder / "mail")
        with app.app_context():
            _empty_tables()
            db.session.remove()
            db.engine.dispose()


def text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link(label: str, message: EmailMessage) -> str:
    return next(line.split(label, 1)[1].strip() for line in text(message).splitlines()
                if line.startswith(label))


def stage(app: Flask) -> None:
    """A showcase with a facilitator who accepted, a participant with a seat, a briefing,
    and invitations to Whina: to present (pending) and to a talk she declined."""
    with app.app_context():
        session = db.session
        programme = Programme(slug="conversations", name="Library Conversations",
                              timezone="Pacific/Auckland", sender_name="Conversations team")
        event = Event(programme=programme, kind=EventKind.showcase, title="Digital Collections",
                      starts_at=START, duration_minutes=45, timezone="Pacific/Auckland",
                      status=EventStatus.published, recorded=True,
                      meeting_url="https://meet.example.net/secret-room-4417")
        declined = Event(programme=programme, kind=EventKind.conversation, title="Another talk",
                         starts_at=START, timezone="Pacific/Auckland",
                         status=EventStatus.published)
        session.add_all([programme, event, declined])
        session.flush()
        chair = invitations.invite(session, event, InvitationPlan(
            "facilitator", "Kupe Te Ao", "kupe@example.org")).role
        invitations.accept(session, chair, Acceptance())
        invitations.invite(session, event, InvitationPlan(
            "presenter", "Whina Cooper", "whina@example.org", timezone="America/Los_Angeles",
            message="We would love the Digital Collections story."))
        no = invitations.invite(session, declined, InvitationPlan(
            "guest", "Whina Cooper", "whina@example.org")).role
        invitations.decline(session, no, "Travelling then.")
        booking.register(session, event.id, "Ada Lovelace", "ada@example.org")
        briefings.write_briefing(session, event, "event", briefings.RUN_SHEET)
        session.commit()
        assert drain_once()[1] == 0


def scan(page: Any, found: list[str]) -> None:
    found += [f"{page.url}: {violation}" for violation in axe_violations(page)]


def test_a_presenter_answers_from_the_email_and_finds_everything_on_their_page(
        live: Live) -> None:
    stage(live.app)
    invitation = live.mail_to("whina@example.org", "speaker_invitation", "Digital Collections")
    assert " ".join(invitation["Subject"].split()).startswith("Please reply: ")
    found: list[str] = []
    with chromium_page() as page:
        page.goto(link("Accept:", invitation))
        assert page.get_by_role("heading", level=1).inner_text() == \
            "Presenter at “Digital Collections”"
        assert "Tue 7:30 pm NZDT = Mon 10:30 pm PST (the day before)" in page.inner_text("main")
        assert page.get_by_label("Yes, I accept").is_checked()
        scan(page, found)

        page.get_by_label("Your name as it should appear").fill("Dr Whina Cooper")
        page.get_by_label("A short bio").fill("Whina leads Digital Collections.")
        page.get_by_label("I agree to the session being recorded").check()
        page.get_by_label("What our work looks like").fill("Scanning taonga, carefully.")
        page.get_by_role("button", name="Send my answer").click()
        page.wait_for_url("**/speaker/*")
        main = page.inner_text("main")
        assert "Thank you: you are the presenter of “Digital Collections”" in main
        assert "Mon 10:30 pm PST (the day before)" in main
        assert "kupe@example.org" in main and "RSVPs so far: 1 with a seat." in main
        assert "Scanning taonga, carefully." in main and "Run sheet" in main
        assert "ada@example.org" not in page.content() and "Lovelace" not in page.content()
        join = page.get_by_role("link", name=re.compile(r"^Join the session\s*: Digital Coll"))
        assert "/speaker/join/" in (join.get_attribute("href") or "")
        assert "Another talk: you declined." in main
        scan(page, found)

        feed = page.get_by_role("link", name="Download").get_attribute("href")
        [entry] = icaljs(requests.get(feed, timeout=10).content)["events"]
        assert entry["summary"] == "Digital Collections" and "/speaker/join/" in entry["location"]

        page.get_by_role("link", name=re.compile(r"^Change your details or showcase answers")
                         ).click()
        assert page.get_by_label("What our work looks like").input_value() == \
            "Scanning taonga, carefully."
        scan(page, found)

        speaker_page = page.url.rsplit("/invitations/", 1)[0]
        page.goto(f"{speaker_page}/invitations/{_declined_role_id(live)}")
        assert "You declined this invitation." in page.inner_text("main")
        assert "/speaker/join/" not in page.content()
        scan(page, found)

        page.goto(f"{live.base_url}/speaker")
        assert page.get_by_role("heading", level=1).inner_text() == "Lost your speaker link?"
        scan(page, found)
        page.get_by_label("The e-mail address you were invited at").fill("whina@example.org")
        page.get_by_role("button", name="Send me my link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"
        scan(page, found)

        with live.app.app_context():
            assert drain_once()[1] == 0
        page.goto(_link_in(live.mail_to("whina@example.org", "speaker_link")))
        assert page.get_by_role("heading", level=1).inner_text() == \
            "Your speaking schedule, Whina Cooper"

        page.goto(f"{live.base_url}/events/{_event_id(live, 'Digital Collections')}")
        assert "With Dr Whina Cooper, facilitated by Kupe Te Ao." in page.inner_text("main")
    assert found == []


def _link_in(message: EmailMessage) -> str:
    return next(line.strip() for line in text(message).splitlines()
                if "/speaker/" in line and line.strip().startswith("http"))


def _declined_role_id(live: Live) -> int:
    with live.app.app_context():
        return db.session.scalars(select(Role.id).where(
            Role.status == InvitationStatus.declined)).one()


def _event_id(live: Live, title: str) -> int:
    with live.app.app_context():
        return db.session.scalars(select(Event.id).where(Event.title == title)).one()
