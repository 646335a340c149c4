"""What e-mails to guests, facilitators and presenters add: their speaker link issued
before sending, the facts of their invitation, and their calendar entry."""

from __future__ import annotations

from typing import Any

from events import calendar, speaker_access, speakers
from events.models import OutboxMessage, Person
from events.site import Site
from webapp.extensions import db


def speaker_of(message: OutboxMessage) -> Person | None:
    """The speaker an e-mail about their part (or their link) goes to, if it is one."""
    if message.role is not None:
        return message.role.person
    if message.kind == speaker_access.LINK_MESSAGE:
        return message.person
    return None


def issue_link(site: Site, person: Person) -> None:
    """Make the speaker link the e-mail carries open their page (a write, committed by
    the caller before the SMTP server is reached)."""
    speaker_access.issue_speaker_token(db.session, site,
                                       speaker_access.link_for(db.session, person))


def variables(message: OutboxMessage, site: Site, person: Person) -> dict[str, Any]:
    """The speaker page's address, and for an e-mail about one invitation its facts."""
    # Made and issued before sending (``issue_link``); reading suffices here.
    link = db.session.get(speaker_access.SpeakerLink, person.id)
    found: dict[str, Any] = {
        "speaker_url": speaker_access.speaker_url(site, link) if link is not None else None}
    if message.role is not None:
        found["facts"] = speakers.mail_facts(db.session, site, message.role)
        found["role"] = message.role
    return found


def role_calendar(message: OutboxMessage, site: Site, method: str) -> str:
    """The speaker's iTIP REQUEST or CANCEL for their invitation, SEQUENCE as queued."""
    part = speaker_access.role_part(db.session, site, message.role)  # type: ignore[arg-type]
    return calendar.role_invitation(part, site, method, message.context["sequence"],
                                    now=message.created_at).decode()
