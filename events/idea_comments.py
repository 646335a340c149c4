"""Comments on ideas: Markdown sanitised as descriptions are; organisers may hide one with a
reason (``ideas.hide``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits
from events.errors import NotFound, NotOpen
from events.idea_boards import Idea, first_name
from events.models import Base, Person, UTCDateTime, utcnow
from events.people import clean_text


class IdeaComment(Base):
    """What a person wrote about an idea."""

    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_id_created_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # Markdown, sanitised when shown (``descriptions.render_markdown``).
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship(lazy="joined")

    @property
    def author_shown(self) -> str:
        """The author as the public sees them: their first name."""
        return first_name(self.person.name)


def comment(session: Session, idea: Idea, person: Person, body: object,
            now: datetime | None = None) -> IdeaComment:
    """Add the person's comment to an idea that still takes them."""
    if idea.is_read_only:
        raise NotOpen("This idea takes no more comments.")
    text = clean_text(body, "body", "comment", limits.COMMENT_MAX, required=True)
    added = IdeaComment(idea_id=idea.id, person=person, body=text, created_at=now or utcnow())
    session.add(added)
    session.flush()
    return added


def comments_on(session: Session, idea: Idea) -> list[IdeaComment]:
    """The idea's comments, oldest first (hidden ones too: pages show their reason)."""
    return list(session.execute(
        select(IdeaComment).where(IdeaComment.idea_id == idea.id)
        .order_by(IdeaComment.created_at, IdeaComment.id)).scalars())


def count_of(idea_id: object) -> object:
    """The number of visible comments on the idea ``idea_id`` (a column), in SQL."""
    return (select(func.count(IdeaComment.id))
            .where(IdeaComment.idea_id == idea_id, IdeaComment.hidden_at.is_(None))
            .correlate_except(IdeaComment).scalar_subquery())


def comment_on(session: Session, idea: Idea, comment_id: int) -> IdeaComment:
    """One comment of the idea, or ``NotFound``."""
    found = session.get(IdeaComment, comment_id)
    if found is None or found.idea_id != idea.id:
        raise NotFound("There is no such comment on this idea.")
    return found
