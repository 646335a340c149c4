"""Book discussions in a real browser, with axe-core on every page: a person signs up, the
organiser forms the groups (first too few, then with the remedy) and publishes them, and
a member opens their group page."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import access
from events.discussions.models import GroupMember, SignUp
from events.models import Programme
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.test_auth import PASSWORD, make_organiser
from tests.test_discussions import make_discussion, sign_up_many
from webapp.site import current_site

pytestmark = pytest.mark.browser


def test_sign_up_forming_and_the_group_page_work_and_are_accessible(
        app: Flask, session: Session, programme: Programme) -> None:
    require_browser()
    discussion = make_discussion(session, programme, slots=["Tuesday 19:30", "Thursday 12:30"])
    sign_up_many(session, discussion, 16, every_slot=True)
    make_organiser(session, programme=programme)

    with serve(app) as base_url, chromium_page() as page:
        # A participant signs up: slots, ranked threads, a friend.
        page.goto(f"{base_url}/discussions/{discussion.id}")
        assert axe_violations(page) == []
        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Your e-mail").fill("ada@example.org")
        page.get_by_role("button", name="Sign up").click()
        assert "Choose at least one meeting time" in page.inner_text("main")
        assert axe_violations(page) == []
        page.get_by_label("Tuesdays 7:30 pm").check()
        page.get_by_label("First choice").select_option(label="Service")
        page.get_by_label("Someone you would like").fill("reader3@example.org")
        page.get_by_role("button", name="Sign up").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You are signed up"
        assert axe_violations(page) == []
        ada = session.scalars(select(SignUp).join(SignUp.person)
                              .where(SignUp.with_email == "reader3@example.org")).one()
        assert ada.thread_ids == [discussion.threads[2].id]

        # The organiser forms the groups: 17 cannot be split, one group of 9 can.
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("ana@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{base_url}/organise/discussions/{discussion.id}")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Offer groups for every thread").click()
        page.goto(f"{base_url}/organise/discussions/{discussion.id}/forming")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Form the groups").click()
        assert "17 people cannot be split into groups of 6-8" in page.inner_text("main")
        assert axe_violations(page) == []
        page.get_by_label("One group may be outside the sizes").select_option(label="One larger")
        page.get_by_label("Why (kept with the groups)").fill("Friends asked to stay together")
        page.get_by_role("button", name="Form the groups").click()
        assert "Groups formed" in page.inner_text("main")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Publish the groups").click()
        assert "groups published" in page.inner_text("main")
        assert axe_violations(page) == []

        # Ada opens her group page from her own link.
        session.expire_all()
        member = session.scalars(select(GroupMember).where(
            GroupMember.sign_up_id == ada.id)).one()
        token = access.issue_manage_token(session, current_site(), member.sign_up.person)
        session.commit()
        page.goto(f"{base_url}/me/{token}/discussions/{discussion.id}")
        main = page.inner_text("main")
        assert member.group.name in main and "Chapters 1-4" in main
        assert page.get_by_role("link", name="Join the meeting").count() == 1
        assert axe_violations(page) == []
