"""The speakers' side of the demo: one guest who accepted, one still to answer.

Both are invited the way organisers invite, so the outbox holds their
e-mails: after ``make run`` the local mailbox shows the accepted guest's
invitation and confirmation, and the "Please reply:" invitation of a guest in
Los Angeles whose Accept and Decline buttons lead to the speaker's side.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from events import briefings, invitations
from events.models import Event, RoleKind, utcnow

# (event, name, e-mail) of a guest.
Guest = tuple[Event, str, str]


def seed_demo_speakers(session: Session, accepting: Guest, waiting: Guest,
                       now: datetime | None = None) -> None:
    """Invite ``accepting``'s guest (who accepts, with a bio) and ``waiting``'s (who has
    not answered yet), and give the speakers briefings for the programme and series."""
    now = now or utcnow()
    event, name, email = accepting
    role = invitations.invite(session, event, invitations.InvitationPlan(
        kind=RoleKind.guest.value, name=name, email=email, timezone="Pacific/Auckland",
        message=f"Kia ora {name.split()[0]}, we would love to hear how you changed your "
                "library from the front desk.",
    ), now).role
    invitations.accept(session, role, invitations.Acceptance(
        display_name=name, timezone="Pacific/Auckland",
        bio="Aroha leads the customer services team at a busy city library and has "
            "redesigned its front desk around what people actually ask for.",
    ), now)

    event, name, email = waiting
    invitations.invite(session, event, invitations.InvitationPlan(
        kind=RoleKind.guest.value, name=name, email=email, timezone="America/Los_Angeles",
        message="We know 7:30 pm in Auckland is the evening before for you in Los Angeles; "
                "thank you for considering it.",
    ), now)

    briefings.write_briefing(session, event, briefings.Scope.series, briefings.RUN_SHEET)
    briefings.write_briefing(session, event, briefings.Scope.programme, (
        "Thank you for taking part in Library Conversations.\n\n"
        "- The audience is library staff from across the sector, most joining after work.\n"
        "- Sessions are not recorded unless the event page says so.\n"
        "- Questions come in through the chat; the facilitator reads them out."))
