"""Reminders to speakers: an unanswered invitation after 3 days then 7, the briefing 2 days
before for those who accepted; each once, even from two worker processes at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from events import briefings, invitations, reminders, speaker_access
from events.invitations import Acceptance, InvitationPlan
from events.models import Event, OutboxMessage, Role
from events.speaker_reminders import SpeakerReminder
from tests.conftest import SmtpInbox
from tests.test_invitations import deliver_all
from tests.test_outbox_delivery import run_workers_together
from webapp.site import current_site

NOW = datetime(2030, 3, 4, 5, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def invite(session: Session, event: Event, n: int = 0, at: datetime = NOW) -> Role:
    role = invitations.invite(session, event, InvitationPlan(
        "guest", f"Speaker {n}", f"speaker{n}@example.org"), at).role
    session.commit()
    return role


def queued(session: Session, *kinds: str) -> list[tuple[str, str, object]]:
    kinds = kinds or ("speaker_unanswered", "speaker_briefing")
    return [(m.recipient_email, m.kind, m.context.get("days")) for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind.in_(kinds)).order_by(OutboxMessage.id))]


def pass_at(session: Session, moment: datetime) -> int:
    work = reminders.run_due(session, moment)
    session.commit()
    return work.speaker_reminders


def test_an_unanswered_invitation_is_recalled_after_three_days_then_seven_each_once(
        session: Session, make_event: Callable[..., Event]) -> None:
    invite(session, make_event(starts_at=NOW + 30 * DAY))
    answered = invite(session, make_event(starts_at=NOW + 30 * DAY, title="Answered"), 1)
    invitations.decline(session, answered, "", NOW + DAY)
    session.commit()
    assert [pass_at(session, NOW + offset) for offset in (
        2 * DAY, 3 * DAY, 3 * DAY + timedelta(hours=1), 6 * DAY, 7 * DAY, 8 * DAY, 20 * DAY)
    ] == [0, 1, 0, 0, 1, 0, 0]
    assert queued(session) == [("speaker0@example.org", "speaker_unanswered", 3),
                               ("speaker0@example.org", "speaker_unanswered", 7)]


def test_a_worker_that_was_down_sends_only_the_latest_and_sending_again_starts_over(
        session: Session, make_event: Callable[..., Event]) -> None:
    role = invite(session, make_event(starts_at=NOW + 30 * DAY))
    assert pass_at(session, NOW + 9 * DAY) == 1
    assert queued(session) == [("speaker0@example.org", "speaker_unanswered", 7)]
    claims = session.scalars(select(SpeakerReminder).order_by(SpeakerReminder.offset_minutes))
    assert [(c.offset_minutes, c.sent) for c in claims] == [(3 * 1440, False), (7 * 1440, True)]
    # The organiser sends it again: a new round, counted from then.
    invitations.resend(session, role, NOW + 10 * DAY)
    session.commit()
    assert pass_at(session, NOW + 12 * DAY) == 0
    assert pass_at(session, NOW + 13 * DAY) == 1
    assert queued(session)[-1] == ("speaker0@example.org", "speaker_unanswered", 3)


def test_no_reminder_once_the_event_has_begun(
        session: Session, make_event: Callable[..., Event]) -> None:
    invite(session, make_event(starts_at=NOW + 2 * DAY))
    assert pass_at(session, NOW + 3 * DAY) == 0 and queued(session) == []


def test_confirmed_speakers_get_the_briefing_two_days_before_and_late_yeses_do_not(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=NOW + 10 * DAY)
    early = invite(session, event)
    invitations.accept(session, early, Acceptance(), NOW)
    late = invite(session, event, 1)
    pending = invite(session, make_event(starts_at=NOW + 10 * DAY, title="Pending"), 2)
    invitations.accept(session, late, Acceptance(), NOW + 9 * DAY)
    session.commit()
    assert pending.status.value == "invited"
    assert pass_at(session, NOW + 7 * DAY) == 1  # the pending one's 7-day reminder
    assert pass_at(session, NOW + 8 * DAY - timedelta(minutes=1)) == 0
    # Due for both who accepted; the one who said yes a day later had it all then.
    assert pass_at(session, NOW + 8 * DAY) == 1
    assert pass_at(session, NOW + 9 * DAY + timedelta(hours=1)) == 0
    assert queued(session, "speaker_briefing") == [
        ("speaker0@example.org", "speaker_briefing", None)]


def test_the_briefing_reminder_carries_the_briefing_and_the_join_link(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    now = datetime.now(UTC).replace(microsecond=0)
    event = make_event(starts_at=now + DAY)
    role = invite(session, event, at=now - DAY)
    invitations.accept(session, role, Acceptance(), now - DAY)
    briefings.write_briefing(session, event, "event", "## Before\n\nBring **one** story.")
    session.commit()
    deliver_all(inbox)
    assert pass_at(session, now) == 1
    [(rcpts, message)] = deliver_all(inbox)
    assert rcpts == ["speaker0@example.org"]
    assert " ".join(message["Subject"].split()) == (
        f"In 2 days: {event.title}, your briefing and join link")
    text = message.get_body(preferencelist=("plain",)).get_content()
    # The briefing is Markdown: plain text in the text part, formatted in the HTML part.
    assert "Before\r\n\r\nBring one story." in text and "**" not in text
    assert speaker_access.join_url(current_site(), role) in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>one</strong>" in html
    assert "secret-room-4417" not in message.as_string()


def test_two_workers_at_once_send_each_speaker_reminder_exactly_once(
        mail_app: tuple[Flask, SmtpInbox], session: Session, make_event: Callable[..., Event],
        database_url: str, smtp_server: tuple[SmtpInbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    now = datetime.now(UTC).replace(microsecond=0)
    soon = make_event(starts_at=now + DAY, title="Soon")
    later = make_event(starts_at=now + 20 * DAY, title="Later")
    for n in range(8):
        accepted = invite(session, soon, n, at=now - 5 * DAY)
        invitations.accept(session, accepted, Acceptance(), now - 4 * DAY)
        invite(session, later, n, at=now - 4 * DAY)
    # Only the reminders are left to send.
    session.execute(update(OutboxMessage).values(status="sent"))
    session.commit()

    outputs = run_workers_together(database_url, port, str(tmp_path))

    inbox.wait_for(16)
    subjects = Counter((rcpts[0], " ".join(message["Subject"].split()))
                       for (rcpts, _), message in zip(inbox.envelopes, inbox.messages,
                                                      strict=True))
    assert len(subjects) == 16 and set(subjects.values()) == {1}, outputs
    assert sum(int(o.split("speaker reminders ")[1].split(",")[0]) for o in outputs) == 16
    assert len(queued(session)) == 16
