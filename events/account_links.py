"""The links account e-mails carry (a password reset, an invitation to a team),
rebuilt when each is sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from events.accounts import PasswordReset, password_reset_token
from events.co_organisers import CoOrganiserInvitation, invitation_token
from events.site import Site


def link_for_message(site: Site, session: Session, context: dict[str, Any]) -> str | None:
    """The absolute link an account e-mail carries, rebuilt when it is sent."""
    if "password_reset_id" in context:
        reset = session.get(PasswordReset, context["password_reset_id"])
        if reset is not None:
            return site.links.password_reset(password_reset_token(site, reset))
    if "invitation_id" in context:
        invitation = session.get(CoOrganiserInvitation, context["invitation_id"])
        if invitation is not None:
            return site.links.co_organiser_invitation(invitation_token(site, invitation))
    return None
