"""A discussion group's facilitator is invited as speakers are, once for the group: one
e-mail, one answer, one reminder, and their speaker page lists every meeting of it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import invitations, speaker_reminders, speakers
from events.discussions import attendance, forming, meetings, membership, planning
from events.discussions.models import BookDiscussion, DiscussionGroup
from events.models import InvitationStatus, OutboxMessage, Person, Programme, Role, utcnow
from tests.conftest import make_site
from tests.test_discussions import make_discussion, sign_up_many

SITE = make_site()


def running_group_with_facilitator(
        session: Session, programme: Programme) -> tuple[BookDiscussion, DiscussionGroup]:
    discussion = make_discussion(session, programme, slots=["Tuesday 19:30"], threads=["Craft"])
    sign_up_many(session, discussion, 6)
    planning.offer_groups_for_every_thread_and_slot(session, discussion)
    [group] = forming.candidate_groups(session, discussion)
    planning.save_group(session, discussion, planning.GroupPlan(
        group.thread_id, group.slot_id, "Kate Wilson", "kate@example.org"), group)
    forming.form(session, discussion, forming.ConcessionsPlan())
    membership.publish(session, discussion)
    session.commit()
    [running] = attendance.running_groups(session, discussion)
    return discussion, running


def sent_to(session: Session, email: str) -> list[str]:
    return [message.kind for message in session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_email == email)
        .order_by(OutboxMessage.id))]


def kate_roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).join(Role.person)
                                .where(Person.email == "kate@example.org").order_by(Role.id)))


def test_the_facilitator_is_invited_once_for_every_meeting_and_one_answer_covers_them(
        session: Session, programme: Programme) -> None:
    discussion, group = running_group_with_facilitator(session, programme)
    roles = kate_roles(session)
    assert len(roles) == discussion.weeks == 4
    lead, *followers = roles
    assert lead.event_id == group.meetings[0].event_id and lead.lead_role_id is None
    assert {role.lead_role_id for role in followers} == {lead.id}
    assert sent_to(session, "kate@example.org") == ["speaker_invitation"]
    person = lead.person
    page = speakers.schedule(session, SITE, person)
    # One invitation to answer, listing the group's later meetings beside it.
    [pending] = page.pending
    assert pending.role.id == lead.id
    assert [event.id for event in pending.also] == [m.event_id for m in group.meetings[1:]]
    # Unanswered: one reminder, not one a week.
    later = utcnow() + timedelta(days=4)
    speaker_reminders.queue_due(session, later)
    assert sent_to(session, "kate@example.org").count("speaker_unanswered") == 1
    invitations.accept(session, lead, invitations.Acceptance())
    session.commit()
    assert {role.status for role in kate_roles(session)} == {InvitationStatus.accepted}
    assert sent_to(session, "kate@example.org").count("speaker_accepted") == 1
    page = speakers.schedule(session, SITE, person)
    assert page.pending == []
    # Their page (and feed) shows each of the group's meetings, with its own join link.
    assert [e.event.id for e in page.upcoming] == [m.event_id for m in group.meetings]
    feed = speakers.speaker_feed(session, SITE, person).decode()
    assert feed.count("BEGIN:VEVENT") == 4


def test_a_new_facilitator_is_invited_once_and_the_one_replaced_told_once(
        session: Session, programme: Programme) -> None:
    discussion, group = running_group_with_facilitator(session, programme)
    planning.save_group(session, discussion, planning.GroupPlan(
        group.thread_id, group.slot_id, "Rua Ngata", "rua@example.org"), group)
    session.commit()
    assert {role.status for role in kate_roles(session)} == {InvitationStatus.withdrawn}
    assert sent_to(session, "kate@example.org") == ["speaker_invitation", "speaker_withdrawn"]
    assert sent_to(session, "rua@example.org") == ["speaker_invitation"]
    # Rua says no: saving the group again (a new room) does not ask her again.
    rua = session.scalars(select(Role).join(Role.person).where(
        Person.email == "rua@example.org", Role.lead_role_id.is_(None))).one()
    invitations.decline(session, rua, "Away that month")
    planning.save_group(session, discussion, planning.GroupPlan(
        group.thread_id, group.slot_id, "Rua Ngata", "rua@example.org",
        meeting_url="https://meet.example.org/craft"), group)
    session.commit()
    assert sent_to(session, "rua@example.org") == ["speaker_invitation", "speaker_declined"]
    # Kate comes back: her withdrawn invitation is renewed, once.
    planning.save_group(session, discussion, planning.GroupPlan(
        group.thread_id, group.slot_id, "Kate Wilson", "kate@example.org"), group)
    session.commit()
    assert sent_to(session, "kate@example.org") == [
        "speaker_invitation", "speaker_withdrawn", "speaker_invitation"]
    assert {role.status for role in kate_roles(session)} == {InvitationStatus.invited}


def test_closing_the_group_tells_its_facilitator_once(session: Session,
                                                      programme: Programme) -> None:
    _, group = running_group_with_facilitator(session, programme)
    lead = kate_roles(session)[0]
    invitations.accept(session, lead, invitations.Acceptance())
    for member in meetings.active_members(session, group):
        membership.leave(session, member)
    membership.close_group(session, group, None)
    session.commit()
    assert {role.status for role in kate_roles(session)} == {InvitationStatus.withdrawn}
    told = sent_to(session, "kate@example.org")
    assert told == ["speaker_invitation", "speaker_accepted", "speaker_withdrawn"]
