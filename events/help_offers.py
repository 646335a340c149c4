"""Offers to help: anyone may offer to facilitate or co-host an idea's event.

An idea with enough votes and a helper is ready (``ideas.mark_ready_if_due``);
"needs a helper" sorts the board by ideas nobody has offered to run yet.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events.errors import InvalidInput
from events.idea_boards import Idea
from events.models import Base, Person, UTCDateTime, _enum, utcnow
from events.people import add_once


class HelpRole(enum.StrEnum):
    facilitate = "facilitate"
    co_host = "co_host"

    @property
    def label(self) -> str:
        return "facilitate" if self == HelpRole.facilitate else "co-host"


class HelpOffer(Base):
    """A person's offer to help run what an idea becomes (one per person per idea)."""

    __tablename__ = "help_offers"
    __table_args__ = (UniqueConstraint("idea_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[HelpRole] = mapped_column(_enum(HelpRole, "help_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


def clean_role(raw: object) -> HelpRole:
    """The kind of help offered, or a refusal."""
    try:
        return HelpRole(raw)
    except ValueError:
        raise InvalidInput("Choose whether you would facilitate or co-host.",
                           field="role") from None


def count_of(idea_id: Any) -> ColumnElement[int]:
    """The number of people offering to help with the idea ``idea_id`` (a column), in SQL."""
    return (select(func.count(HelpOffer.id)).where(HelpOffer.idea_id == idea_id)
            .correlate_except(HelpOffer).scalar_subquery())


def count_for(session: Session, idea_id: int) -> int:
    """The number of people offering to help with one idea."""
    return session.execute(select(count_of(idea_id))).scalar_one()


def offer(session: Session, idea: Idea, person: Person, role: object,
          now: datetime | None = None) -> bool:
    """Record the person's offer (or change what they offer); True if it is new."""
    kind = clean_role(role)
    added = add_once(session, HelpOffer, idea_id=idea.id, person_id=person.id, role=kind,
                     created_at=now or utcnow())
    if not added:
        session.execute(update(HelpOffer)
                        .where(HelpOffer.idea_id == idea.id, HelpOffer.person_id == person.id)
                        .values(role=kind).execution_options(synchronize_session=False))
    return added


def withdraw(session: Session, idea: Idea, person: Person) -> bool:
    """Take the person's offer back; False if they had made none."""
    return bool(session.execute(delete(HelpOffer).where(
        HelpOffer.idea_id == idea.id, HelpOffer.person_id == person.id)).rowcount)


def helpers_of(session: Session, idea: Idea) -> list[HelpOffer]:
    """Everyone offering to help with the idea, first offer first (for its organisers)."""
    return list(session.execute(
        select(HelpOffer).where(HelpOffer.idea_id == idea.id)
        .order_by(HelpOffer.created_at, HelpOffer.id)).scalars())
