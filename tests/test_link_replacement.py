""""Replace my link" ends every link of the person, join links included, and sends
new ones by e-mail (with a calendar update carrying the new join link)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import access, booking
from events.discussions import group_page
from events.discussions.models import GroupMember
from events.models import Event, OutboxMessage, Person, Programme, Registration
from tests.conftest import SmtpInbox, csrf_token_from
from tests.test_discussions import published
from webapp import mailer
from webapp.site import current_site


def _place(session: Session, event: Event) -> Registration:
    result = booking.register(session, event.id, "Rangi Person", "rangi@example.org")
    session.commit()
    return result.registration


def _replace(client: FlaskClient, session: Session, person: Person) -> None:
    token = access.issue_manage_token(session, current_site(), person)
    session.commit()
    csrf = csrf_token_from(client.get(f"/me/{token}").get_data(as_text=True))
    assert client.post(f"/me/{token}/revoke", data={"csrf_token": csrf}).status_code == 200
    session.expire_all()


def test_the_old_join_link_is_refused_after_replacing_the_links(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    place = _place(session, make_event(meeting_url="https://meet.example.org/room"))
    old = access.join_token(current_site(), place)
    assert client.get(f"/join/{old}").status_code != 404

    _replace(client, session, place.person)

    assert client.get(f"/join/{old}").status_code == 404
    place = session.get(Registration, place.id)
    new = access.join_token(current_site(), place)
    assert new != old and client.get(f"/join/{new}").status_code != 404


def test_new_join_links_arrive_in_a_fresh_email_with_a_calendar_update(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    client = app.test_client()
    event = make_event(meeting_url="https://meet.example.org/room")
    place = _place(session, event)
    mailer.drain_once()
    first_sequence = place.sequence or 0

    _replace(client, session, place.person)

    queued = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    kinds = [message.kind for message in queued if message.kind != "confirmation"]
    assert kinds == ["manage_link", "join_link_replaced"]
    assert session.get(Registration, place.id).sequence == first_sequence + 1
    mailer.drain_once()
    [fresh] = [message for message in inbox.wait_for(3)
               if message["Subject"].startswith("Your new join link")]
    new_link = access.join_url(current_site(), session.get(Registration, place.id))
    assert new_link in fresh.get_body(preferencelist=("plain",)).get_content()
    invitation = next(part for part in fresh.walk()
                      if part.get_content_type() == "text/calendar").get_content()
    assert "METHOD:REQUEST" in invitation and new_link in invitation.replace("\r\n ", "")


def test_a_group_join_link_is_refused_after_replacing_the_links(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    published(session, programme, 6, slots=["Tuesday 19:30"], threads=["Craft"])
    member = session.scalars(select(GroupMember)).first()
    assert member is not None
    old = group_page.join_token(current_site(), member)
    assert client.get(f"/groups/join/{old}").status_code == 409  # not open yet, but valid

    _replace(client, session, member.sign_up.person)

    assert client.get(f"/groups/join/{old}").status_code == 404
    member = session.get(GroupMember, member.id)
    assert client.get(f"/groups/join/{group_page.join_token(current_site(), member)}"
                      ).status_code == 409
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "group_join_link_replaced")).all()
    assert [message.context["member_id"] for message in told] == [member.id]
