"""Co-organisers: an invitation by e-mail to join a programme's team, and accepting it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import accounts, limits, signed_links
from events.accounts import Account
from events.errors import InvalidInput, NotFound
from events.models import Base, Programme, UTCDateTime, utcnow
from events.people import clean_email
from events.site import Site

INVITATION_VALID_FOR = timedelta(days=14)


class CoOrganiserInvitation(Base):
    """An invitation by e-mail to join a programme's team."""

    __tablename__ = "co_organiser_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL_MAX))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()
    invited_by: Mapped[Account | None] = relationship()


def invite_co_organiser(session: Session, inviter: Account, programme: Programme,
                        email: object, now: datetime | None = None) -> CoOrganiserInvitation:
    """Invite ``email`` to the programme's team and queue the invitation e-mail."""
    now = now or utcnow()
    address = clean_email(email)
    existing = accounts.account_for_email(session, address)
    if existing is not None and accounts.can_manage(session, existing, programme.id):
        raise InvalidInput("That person is already in this programme's team.", field="email")
    invitation = CoOrganiserInvitation(programme=programme, email=address, invited_by=inviter,
                                       created_at=now, expires_at=now + INVITATION_VALID_FOR)
    session.add(invitation)
    session.flush()
    accounts.enqueue_account_email(session, "co_organiser_invite", address, "",
                                   invitation_id=invitation.id, programme_name=programme.name,
                                   inviter_name=inviter.name)
    return invitation


def invitation_token(site: Site, invitation: CoOrganiserInvitation) -> str:
    """The token of the invitation link."""
    mac = accounts.signed(site, "co-organiser", invitation.id, invitation.email)
    return f"{invitation.id}-{mac}"


def invitation_for_token(session: Session, site: Site, token: str,
                         now: datetime | None = None) -> CoOrganiserInvitation:
    """The open invitation a link belongs to, or ``NotFound``."""
    now = now or utcnow()
    invitation = session.get(CoOrganiserInvitation, accounts.row_id_of(token))
    if (invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now
            or not signed_links.same_mac(token, invitation_token(site, invitation))):
        raise NotFound("This invitation has expired or was already accepted.")
    return invitation


@dataclass(frozen=True)
class Acceptance:
    """The outcome of accepting an invitation."""

    account: Account
    new_account: bool


def accept_invitation(session: Session, site: Site, token: str, name: object = None,
                      password: object = None, now: datetime | None = None) -> Acceptance:
    """Join the team: an existing account is added; otherwise one is made.

    The link came to the invited address, which proves it belongs to whoever
    holds the link, as a password reset does.
    """
    now = now or utcnow()
    invitation = invitation_for_token(session, site, token, now)
    account = accounts.account_for_email(session, invitation.email)
    new_account = account is None
    if account is None:
        account = accounts.create_account(session, invitation.email, name, password)
    accounts.add_member(session, account, invitation.programme)
    invitation.accepted_at = now
    return Acceptance(account, new_account)
