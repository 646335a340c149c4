"""Feedback in a real browser: a participant fills in the form from their link, is told what
is missing, sends it, and comes back to change it; an organiser reads the dashboard and the
printable report, which prints on A4 with a page per section. Every page is scanned with
axe-core and must have no violations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import feedback_requests
from events.feedback_models import FeedbackAnswers
from events.models import Event, Programme, Series
from tests.browser import axe_violations, chromium_page, require_browser
from tests.feedback_support import held_event, settings, token_of
from tests.live_server import gunicorn_server
from tests.test_auth import PASSWORD, make_organiser
from tests.test_feedback_reports import make_season

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module's journeys; each test writes its own data."""
    require_browser()
    with gunicorn_server(database_url, tmp_path_factory.mktemp("browser-feedback")) as url:
        yield url


def test_a_participant_answers_then_comes_back_to_change_their_answers(
        base_url: str, session: Session, make_event: Callable[..., Event],
        programme: Programme) -> None:
    from playwright.sync_api import expect

    series = Series(programme=programme, title="Leading from any chair")
    session.add(series)
    session.commit()
    settings(session, series, outcomes=("I feel confident to take part in discussions",))
    held = held_event(session, make_event, attended=1, no_show=1, series=series,
                      title="Changing a library from the front desk")
    feedback_requests.ask_now(session, held.event)
    session.commit()
    form_url = f"{base_url}/feedback/{token_of(held['attended'][0])}"

    with chromium_page() as page:
        page.goto(form_url)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "How was Changing a library from the front desk?")
        assert axe_violations(page) == []

        page.get_by_label("What worked for you?").fill("Hearing how another library did it")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("Please rate the evening from 1 to 5.")).to_be_visible()
        # What was typed is still there.
        expect(page.get_by_label("What worked for you?")).to_have_value(
            "Hearing how another library did it")
        assert axe_violations(page) == []

        page.get_by_role("group", name="Overall, how was it?").get_by_label(
            "4 Very good").check()
        outcome = page.get_by_role("group", name="“I feel confident to take part in discussions”")
        outcome.get_by_role("group", name=re.compile("Before tonight")).get_by_label(
            "2 A little").check()
        outcome.get_by_role("group", name=re.compile("Now")).get_by_label("4 Mostly").check()
        page.get_by_role("group", name="Would you come again?").get_by_label("Yes").check()
        page.get_by_label("You may quote me, without my name, in reports").check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()
        assert axe_violations(page) == []

        # The same link, later: the answers are there to change.
        page.goto(form_url)
        expect(page.get_by_role("group", name="Overall, how was it?").get_by_label(
            "4 Very good")).to_be_checked()
        expect(page.get_by_label("You may quote me, without my name, in reports")).to_be_checked()
        page.get_by_role("group", name="Overall, how was it?").get_by_label(
            "5 Excellent").check()
        page.get_by_role("button", name="Save my changes").click()
        expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()

        page.goto(f"{base_url}/feedback/{token_of(held['no_show'][0])}")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "We missed you at Changing a library from the front desk")
        assert axe_violations(page) == []
        page.get_by_label("It clashed with something else").check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("Thank you: your answers are saved.")).to_be_visible()

    session.expire_all()
    rows = session.scalars(select(FeedbackAnswers).order_by(FeedbackAnswers.questions)).all()
    assert [(row.questions.value, row.rating, row.may_quote) for row in rows] == [
        ("evening", 5, True), ("no_show", None, False)]
    assert [(s.before, s.now) for s in rows[0].scores] == [(2, 4)]


def test_an_organiser_reads_the_report_and_prints_it_on_a4(
        base_url: str, session: Session, make_event: Callable[..., Event],
        programme: Programme, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    season = make_season(session, programme, make_event)
    make_organiser(session, email="kate@example.org", programme=programme)

    with chromium_page() as page:
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("kate@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{base_url}/organise/series/{season.series.id}/dashboard")
        expect(page.get_by_role("img", name="From the target to feedback")).to_be_visible()
        assert axe_violations(page) == []

        page.get_by_label("Comments from").select_option(str(season.big.event.id))
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_text("Comments from Conversation 1 only.")).to_be_visible()
        expect(page.locator("li.quotable")).to_have_count(2)

        page.get_by_role("link", name="Printable report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Leading from any chair: what the programme achieved")
        expect(page.get_by_role("img", name=re.compile("Where people placed themselves"))
               ).to_be_visible()
        assert axe_violations(page) == []

        page.emulate_media(media="print")
        expect(page.locator("nav.workspace")).to_be_hidden()
        expect(page.locator("header.site")).to_be_hidden()
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (tmp_path / "report.pdf").write_bytes(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        # A cover page with "at a glance", then one page (at least) per section.
        assert pages >= 7, pages
        media_box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
        assert media_box and (round(float(media_box.group(1))), round(float(
            media_box.group(2)))) == (595, 842)  # A4 in points
