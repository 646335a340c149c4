"""Who may reach what without an account: personal join links.

A join token is an HMAC of the registration id under the site's secret, so
it can be written into every e-mail and feed again without storing it, and
cannot be guessed or forged. The meeting room itself stays private: the link
redirects to whatever the event's room is at the moment of the click.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from events.errors import NotFound, NotOpen
from events.models import Event, EventStatus, Registration, RegistrationStatus, utcnow
from events.site import Site

JOIN_OPENS_BEFORE = timedelta(minutes=30)


def _mac(site: Site, purpose: str, subject_id: int) -> str:
    digest = hmac.new(site.secret_key.encode(), f"{purpose}:{subject_id}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def join_token(site: Site, registration: Registration) -> str:
    """The registration's personal join token (192 bits of HMAC after its id)."""
    return f"{registration.id}-{_mac(site, 'join', registration.id)}"


def join_url(site: Site, registration: Registration) -> str:
    """The absolute personal join link to put in invitations and pages."""
    return site.url(f"/join/{join_token(site, registration)}")


def registration_for_join_token(session: Session, site: Site, token: str) -> Registration:
    """Return the registration a join token belongs to, or raise ``NotFound``."""
    head, _, mac = token.partition("-")
    if not head.isdigit() or len(head) > 18:
        raise NotFound("This join link is not valid.")
    registration = session.get(Registration, int(head))
    if registration is None or not hmac.compare_digest(mac, _mac(site, "join", registration.id)):
        raise NotFound("This join link is not valid.")
    return registration


def meeting_room_for(registration: Registration, now: datetime | None = None) -> str:
    """The meeting URL a confirmed participant may enter now, or a refusal."""
    now = now or utcnow()
    event: Event = registration.event
    if event.status == EventStatus.cancelled:
        raise NotOpen("This event has been cancelled.")
    if registration.status == RegistrationStatus.waitlisted:
        raise NotOpen("You are on the waitlist for this event, so there is no seat to join yet.")
    if registration.status == RegistrationStatus.cancelled:
        raise NotOpen("You cancelled your place at this event.")
    if now < event.starts_at - JOIN_OPENS_BEFORE:
        raise NotOpen("The room opens 30 minutes before the start.")
    if now > event.ends_at + timedelta(hours=1):
        raise NotOpen("This event is over.")
    if not event.meeting_url:
        raise NotOpen("The organisers have not set a meeting room yet.")
    return event.meeting_url
