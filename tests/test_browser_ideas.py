"""The ideas board in a real browser, each page scanned by axe-core: proposing (similar ideas
shown first), confirming the address through the link that arrived by e-mail, voting, and
the organiser merging a duplicate and turning an idea into a draft event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import ideas, votes
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind, IdeaStatus
from events.models import Event, EventStatus, Programme
from events.people import person_for
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.conftest import SmtpInbox
from tests.test_auth import PASSWORD, make_organiser
from webapp.mailer import drain_once

pytestmark = pytest.mark.browser


def test_proposing_confirming_voting_merging_and_planning_in_the_browser(
        mail_app: tuple[Flask, SmtpInbox], session: Session, programme: Programme) -> None:
    require_browser()
    from playwright.sync_api import expect

    app, inbox = mail_app
    now = datetime.now(UTC)
    board = IdeaBoard(programme=programme, mode=BoardMode.staged, opens_at=now - timedelta(1),
                      closes_at=now + timedelta(14), ideas_open_at=now + timedelta(14),
                      vote_budget=3)
    session.add(board)
    kate = person_for(session, "kate.wilson@example.org", "Kate Wilson")
    target = ideas.propose(session, board, kate, IdeaKind.challenge,
                           "Cataloguing backlogs nobody sees", "Boxes of donations wait.")
    votes.cast(session, target, kate)
    session.commit()
    make_organiser(session, email="ana@example.org", name="Ana Organiser", programme=programme)
    found: list[object] = []

    with serve(app) as base_url, chromium_page() as page:
        page.goto(f"{base_url}/programmes/conversations/ideas")
        assert "Stage 1 of 2: challenges" in page.inner_text("main")
        found += axe_violations(page)

        page.get_by_role("link", name="Propose a challenge").click()
        page.get_by_label("Title").fill("Our cataloguing backlog")
        # With the script, similar ones show while typing; without it, the button shows them.
        expect(page.locator("#similar-live")).to_contain_text("Cataloguing backlogs nobody")
        page.get_by_role("button", name="Check for similar ones").click()
        similar = page.get_by_role("region", name="Similar ones on the board")
        assert "Cataloguing backlogs nobody sees" in similar.inner_text()
        found += axe_violations(page)
        page.get_by_label("Your name").fill("Mei Lin Chen")
        page.get_by_label("Your e-mail").fill("meilin@example.org")
        page.get_by_role("button", name="Propose it anyway").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"
        found += axe_violations(page)

        assert drain_once() == (1, 0)
        [message] = inbox.wait_for(1)
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"https://mingle\.example\.org(/\S+/confirm/\S+)", text).group(1)
        page.goto(base_url + link)
        found += axe_violations(page)
        page.get_by_role("button", name="Yes, it is me: confirm").click()
        main = page.inner_text("main")
        assert "Your challenge “Our cataloguing backlog” is on the board." in main
        assert "Taking part as Mei Lin Chen" in main
        found += axe_violations(page)

        page.get_by_role("button", name="Vote for Cataloguing backlogs nobody sees").click()
        assert "Your vote counts." in page.inner_text("main")
        assert "Votes left: 2 of 3" in page.inner_text("main")
        found += axe_violations(page)

        duplicate = session.scalars(select(Idea).where(Idea.title == "Our cataloguing backlog")
                                    ).one()
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("ana@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{base_url}/organise/programmes/{programme.id}/ideas")
        assert "meilin@example.org" in page.inner_text("main")  # organisers see who posted
        found += axe_violations(page)
        page.get_by_role("link", name="Our cataloguing backlog").click()
        found += axe_violations(page)
        page.get_by_label("Merge it into").select_option(label="Cataloguing backlogs nobody sees")
        page.get_by_role("button", name="Merge").click()
        assert "Merged into “Cataloguing backlogs nobody sees”" in page.inner_text("main")
        assert "2 votes" in page.inner_text("main")  # Kate's and Mei Lin's, each once
        found += axe_violations(page)

        page.get_by_role("button", name="Turn into a draft event").click()
        assert page.get_by_label("Title").input_value() == "Cataloguing backlogs nobody sees"
        found += axe_violations(page)

    assert found == []
    session.expire_all()
    assert session.get(Idea, duplicate.id).status == IdeaStatus.duplicate
    assert session.get(Idea, target.id).status == IdeaStatus.planned
    event = session.scalars(select(Event)).one()
    assert (event.status, session.get(Idea, target.id).event_id) == (EventStatus.draft,
                                                                     event.id)
