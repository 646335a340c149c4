"""The demo's feedback: on first run the report of a finished series has something to show,
and the first worker pass asks the participant of the evening just over, whose e-mail opens
the form with its series' outcomes."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import demo, feedback_reports, reminders
from events.models import EventStatus, OutboxMessage, OutboxStatus, Series
from webapp.mailer import drain_once
from webapp.site import current_site


def test_the_demo_has_a_finished_series_to_report_on_and_one_request_to_answer(
        app: Flask, client: FlaskClient, session: Session) -> None:
    demo.seed_demo(session, site=current_site())
    session.commit()

    series = session.scalars(select(Series).where(Series.title == "Working out loud")).one()
    report = feedback_reports.for_series(session, series)
    assert {row.event.status for row in report.events} == {EventStatus.completed}
    assert report.funnel.attended > 100 and report.responded >= 36
    assert all(row.rating.figures is not None for row in report.events)
    assert all(item.shift.figures is not None for item in report.shifts)
    assert report.comments.figures and report.no_shows.figures
    assert report.follow_up.figures and report.held_back == 0
    # The past's e-mails went out then: no feedback e-mail waits in the outbox (the demo's
    # other features queue e-mails of their own).
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.queued,
        OutboxMessage.kind.like("feedback%"))) == 0

    work = reminders.run_due(session, site=current_site())
    session.commit()
    assert (work.feedback.requests, work.feedback.reminders, work.feedback.follow_ups) == (
        1, 0, 0)
    queued = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.queued))
    assert drain_once(limit=1000) == (queued, 0)
    (written,) = [path for path in Path(app.config["MAIL_DIR"]).glob("*.eml")
                  if "-feedback" in path.name]
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "Pat Reader <pat.reader@example.org>"
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(line for line in text.splitlines() if "/feedback/" in line)
    page = client.get(link.removeprefix(app.config["BASE_URL"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "How was Leading from any chair: an opening conversation?" in html
    assert "I feel confident to lead a change without a title" in html
