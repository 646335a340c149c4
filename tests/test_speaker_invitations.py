"""The invitation's moves: each allowed one and what follows (the e-mail, its iTIP
METHOD and SEQUENCE, the organisers told), the ones refused, answering twice, and the
double-booking warning that now counts invitations not answered yet."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from events import invitations, scheduling
from events.briefings import Briefing
from events.calendar import invitation_sequence
from events.errors import InvalidInput, NotOpen
from events.invitations import MOVES, Acceptance, InvitationPlan
from events.models import (
    Answerer,
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    OutboxMessage,
    Person,
    Programme,
    Role,
)
from events.schema import metadata
from events.speaker_access import SpeakerLink
from events.speaker_reminders import SpeakerReminder
from tests.conftest import ROOT, upgrade_to_head
from tests.test_auth import make_organiser

invited, accepted = InvitationStatus.invited, InvitationStatus.accepted
declined, withdrawn = InvitationStatus.declined, InvitationStatus.withdrawn
SPEAKER, ORGANISER = Answerer.speaker, Answerer.organiser
NOW = datetime.now(UTC).replace(microsecond=0)


def invite(session: Session, event: Event, name: str = "Whina Cooper",
           email: str = "whina@example.org", **plan: object) -> Role:
    values: dict[str, object] = {"kind": "guest", "name": name, "email": email, **plan}
    role = invitations.invite(session, event, InvitationPlan(**values), NOW).role  # type: ignore[arg-type]
    session.commit()
    return role


def messages(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# How to bring a fresh invitation to each state, through the moves themselves.
PATHS: dict[InvitationStatus, list[tuple[InvitationStatus, Answerer]]] = {
    invited: [],
    accepted: [(accepted, SPEAKER)],
    declined: [(declined, SPEAKER)],
    withdrawn: [(withdrawn, ORGANISER)],
}


@pytest.mark.parametrize(("was", "to"), list(MOVES),
                         ids=[f"{w.value if w else 'new'}->{t.value}" for w, t in MOVES])
def test_every_move_sends_its_email_with_its_method_and_sequence(
        session: Session, make_event: Callable[..., Event], was: InvitationStatus | None,
        to: InvitationStatus) -> None:
    make_organiser(session, programme=make_event().programme)
    event = make_event(sequence=3)
    rule = MOVES[(was, to)]
    if was is None:
        role = invitations.invite(session, event, InvitationPlan(
            "guest", "Whina Cooper", "whina@example.org",
            already_accepted=to == accepted), NOW).role
    else:
        role = invite(session, event)
        for step, by in PATHS[was]:
            invitations.move(session, role, step, by, NOW)
    session.commit()
    before = len(messages(session))
    sequence = role.sequence
    if was is not None:
        invitations.move(session, role, to, next(iter(rule.by)), NOW)
        session.commit()

    assert role.status == to
    assert role.sequence == sequence + (rule.own_sequence_grows and was is not None)
    new = messages(session)[before:] if was is not None else messages(session)
    to_speaker = [m for m in new if m.role_id == role.id]
    assert [m.kind for m in to_speaker] == [rule.message]
    [mail] = to_speaker
    assert mail.recipient_email == "whina@example.org"
    assert mail.context.get("method") == rule.method
    if rule.method:
        assert mail.context["sequence"] == invitation_sequence(event.sequence, role.sequence)
    notices = [m for m in new if m.kind == "speaker_declined_notice"]
    assert [m.recipient_email for m in notices] == (["ana@example.org"]
                                                     if rule.tell_organisers else [])
    if rule.new_round:
        assert role.invited_at == NOW and role.answered_at is None
    if to in (accepted, declined):
        assert role.answered_at == NOW


@pytest.mark.parametrize(("was", "to", "by", "reason"), [
    (invited, withdrawn, SPEAKER, "cannot become withdrawn"),
    (invited, declined, ORGANISER, "cannot become declined"),
    (withdrawn, accepted, SPEAKER, "The organisers withdrew this invitation."),
    (withdrawn, declined, SPEAKER, "The organisers withdrew this invitation."),
    (declined, accepted, SPEAKER, "You declined this invitation."),
    (accepted, invited, ORGANISER, "cannot become invited"),
    (declined, withdrawn, ORGANISER, "cannot become withdrawn"),
])
def test_moves_not_in_the_table_or_by_the_wrong_hand_are_refused_and_send_nothing(
        session: Session, make_event: Callable[..., Event], was: InvitationStatus,
        to: InvitationStatus, by: Answerer, reason: str) -> None:
    role = invite(session, make_event())
    for step, hand in PATHS[was]:
        invitations.move(session, role, step, hand, NOW)
    session.commit()
    before = len(messages(session))
    with pytest.raises(NotOpen, match=reason):
        invitations.move(session, role, to, by, NOW)
    session.rollback()
    assert role.status == was and len(messages(session)) == before


def test_answering_twice_is_harmless_and_the_second_yes_only_updates_the_details(
        session: Session, make_event: Callable[..., Event]) -> None:
    make_organiser(session, programme=make_event().programme)
    role = invite(session, make_event())
    invitations.accept(session, role, Acceptance(bio="First bio."), NOW)
    session.commit()
    invitations.accept(session, role, Acceptance(bio="Second bio.", display_name="Dr Whina"),
                       NOW + timedelta(hours=1))
    session.commit()
    kinds = [m.kind for m in messages(session)]
    assert kinds == ["speaker_invitation", "speaker_accepted"]
    assert (role.bio, role.public_name, role.answered_at) == ("Second bio.", "Dr Whina", NOW)

    other = invite(session, make_event(title="Another"), "Kupe", "kupe@example.org")
    for note in ("Travelling then.", "Sorry again."):
        invitations.decline(session, other, note, NOW)
        session.commit()
    notices = [m for m in messages(session) if m.kind == "speaker_declined_notice"]
    assert len(notices) == 1 and other.note == "Sorry again."


def test_declining_after_accepting_cancels_the_calendar_entry_and_tells_organisers_at_once(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    make_organiser(session, programme=programme)
    make_organiser(session, email="bo@example.org", name="Bo Organiser", programme=programme)
    role = invite(session, make_event())
    invitations.accept(session, role, Acceptance(), NOW)
    invitations.decline(session, role, "A family emergency.", NOW)
    session.commit()
    [request, cancel] = [m for m in messages(session) if m.role_id == role.id][1:]
    assert (request.context["method"], request.context["sequence"]) == ("REQUEST", 0)
    assert (cancel.kind, cancel.context["method"], cancel.context["sequence"]) == (
        "speaker_declined", "CANCEL", 1)
    notices = [m for m in messages(session) if m.kind == "speaker_declined_notice"]
    assert sorted(m.recipient_email for m in notices) == ["ana@example.org", "bo@example.org"]
    assert all(m.context["after_accepting"] and m.context["note"] == "A family emergency."
               and m.role_id is None for m in notices)


def test_a_yes_after_a_withdrawal_outranks_the_cancel_that_went_out(
        session: Session, make_event: Callable[..., Event]) -> None:
    role = invite(session, make_event())
    invitations.accept(session, role, Acceptance(), NOW)
    invitations.withdraw(session, role, NOW)
    invitations.invite_again(session, role, NOW)
    invitations.accept(session, role, Acceptance(), NOW)
    session.commit()
    itip = [(m.context["method"], m.context["sequence"]) for m in messages(session)
            if "method" in m.context]
    assert itip == [("REQUEST", 0), ("CANCEL", 1), ("REQUEST", 2)]


@pytest.mark.parametrize("change", ["started", "cancelled"])
def test_nothing_moves_once_the_event_started_or_was_cancelled(
        session: Session, make_event: Callable[..., Event], change: str) -> None:
    event = make_event()
    role = invite(session, event)
    if change == "started":
        event.starts_at = NOW - timedelta(minutes=1)
    else:
        event.status = EventStatus.cancelled
    session.commit()
    expected = ("already taken place" if change == "started" else "has been cancelled")
    for act in (lambda: invitations.accept(session, role, Acceptance(), NOW),
                lambda: invitations.decline(session, role, "", NOW),
                lambda: invitations.withdraw(session, role, NOW),
                lambda: invitations.resend(session, role, NOW)):
        with pytest.raises(NotOpen, match=expected):
            act()
        session.rollback()


def test_inviting_records_the_zone_and_message_and_refuses_what_is_wrong(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    role = invite(session, event, timezone="America/Los_Angeles", message="We'd love you.")
    assert (role.person.timezone, role.message, role.status) == (
        "America/Los_Angeles", "We'd love you.", invited)
    for plan, field in (({"timezone": "Mars/Olympus"}, "timezone"),
                        ({"email": "not-an-address"}, "email"),
                        ({"kind": "host"}, "kind"),
                        ({"message": "x" * 5001}, "message")):
        with pytest.raises(InvalidInput) as refused:
            invite(session, event, "Kupe", **{"email": "kupe@example.org", **plan})
        assert refused.value.field == field
        session.rollback()
    with pytest.raises(InvalidInput, match="already invited as guest"):
        invite(session, event, email="WHINA@example.org")
    session.rollback()
    # After a no, inviting the same person again reopens the same invitation.
    invitations.decline(session, role, "", NOW)
    session.commit()
    again = invite(session, event, message="Another date suits?")
    assert again.id == role.id and again.status == invited and again.sequence == 1


def test_accepting_asks_for_what_the_event_needs(
        session: Session, make_event: Callable[..., Event]) -> None:
    showcase = make_event(kind=EventKind.showcase, recorded=True, prompt_work="")
    role = invite(session, showcase, kind="presenter")
    invitations.accept(session, role, Acceptance(
        display_name="Hemi Walker (Digital Collections)", bio="Leads the team.",
        listed_publicly=False, recording_consent=True, timezone="Pacific/Chatham",
        prompt_work="Scanning taonga.", prompt_challenges=None, prompt_direction="Shared."), NOW)
    session.commit()
    assert role.recording_consent is True and role.person.timezone == "Pacific/Chatham"
    assert (showcase.prompt_work, showcase.prompt_direction) == ("Scanning taonga.", "Shared.")
    # Not listed: accepted, yet the public page names nobody.
    assert showcase.people_in("presenter") == []
    role.listed_publicly = True
    assert [r.public_name for r in showcase.people_in("presenter")] == [
        "Hemi Walker (Digital Collections)"]
    # The facilitator does not write the unit's answers.
    chair = invite(session, showcase, "Kupe", "kupe@example.org", kind="facilitator")
    invitations.accept(session, chair, Acceptance(prompt_work="Overwritten?"), NOW)
    assert showcase.prompt_work == "Scanning taonga."
    unrecorded = invite(session, make_event(title="Plain"), "Kupe", "kupe@example.org")
    invitations.accept(session, unrecorded, Acceptance(recording_consent=True), NOW)
    assert unrecorded.recording_consent is None
    with pytest.raises(InvalidInput) as refused:
        invitations.accept(session, unrecorded, Acceptance(bio="x" * 2001), NOW)
    assert refused.value.field == "bio"


def test_an_invitation_not_answered_yet_counts_as_a_double_booking(
        session: Session, make_event: Callable[..., Event]) -> None:
    start = NOW + timedelta(days=9)
    first = make_event(title="First chat", starts_at=start)
    second = make_event(title="Second chat", starts_at=start + timedelta(minutes=15))
    invite(session, first)
    warned = invitations.invite(session, second, InvitationPlan(
        "facilitator", "Whina Cooper", "whina@example.org"), NOW)
    assert warned.warnings == ["Whina Cooper is also guest at “First chat”, which overlaps this "
                               "event (that invitation is not answered yet)."]
    session.commit()
    # Once she declines the first, she is no longer double-booked.
    invitations.decline(session, first.roles[0], "", NOW)
    session.commit()
    assert not [w for w in scheduling.clash_warnings(session, second) if "Whina" in w]


def test_the_speakers_revision_goes_down_and_up_again_with_rows_pointing_at_its_tables(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'round-trip.db'}"
    upgrade_to_head(url)
    engine = create_engine(url)
    with Session(engine) as session:
        programme = Programme(slug="p", name="P", timezone="UTC")
        event = Event(programme=programme, kind="conversation", title="E",
                      starts_at=NOW + timedelta(days=3), timezone="UTC")
        person = Person(name="Whina", email="whina@example.org", timezone="Europe/London")
        role = Role(event=event, person=person, kind="guest", status=withdrawn, sequence=2)
        session.add_all([role, SpeakerLink(person=person),
                         Briefing(programme=programme, event=event, body="B"),
                         OutboxMessage(kind="speaker_withdrawn", recipient_email=person.email,
                                       event=event, role=role)])
        session.flush()
        session.add(SpeakerReminder(role_id=role.id, kind="briefing", offset_minutes=2880,
                                    round=NOW))
        session.commit()
    engine.dispose()
    # Down and up again in one process (each start of the app costs seconds).
    env = dict(os.environ, DATABASE_URL=url, MINGLE_ENV="test", OUTBOX_IN_PROCESS="0",
               SCHEMA_COMMANDS="1")
    subprocess.run([sys.executable, "-c", (
        "from flask_migrate import downgrade, upgrade\n"
        "from webapp import create_app\n"
        "app = create_app({'SCHEMA_COMMANDS': True})\n"
        "with app.app_context():\n"
        "    downgrade(revision='0006_speakers-1')\n"
        "    upgrade(revision='heads')\n")], cwd=ROOT, env=env, check=True,
        capture_output=True)
    engine = create_engine(url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        # A withdrawn invitation did not exist before: it came back declined, its
        # speaker's own columns (and the outbox row pointing at it) intact.
        assert connection.execute(text("SELECT status, sequence, bio FROM roles")).one() == (
            "declined", 0, "")
        assert connection.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 1
    engine.dispose()
