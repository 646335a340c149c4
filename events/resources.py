"""Resources along the way: what to read before an event, and its recording, slides and
links after it.

Organisers attach resources to an event in an order of their choosing. Each
is for before or after the event, and for anyone or only for people with a
place (a seat: ``Registration.holds_seat``). ``Resource.shown`` is the one
rule of who sees which resource when; the event page, the series page, a
person's own page and the e-mails all ask it. A series page lists its
events' resources in order, so someone who joins late can catch up; a book
discussion's reading plan is such a list too: its kick-off's resources for
people with a place, each with the week it is for (``reading_plan``).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events import limits
from events.errors import InvalidInput, NotFound
from events.models import (
    Base,
    Event,
    OutboxMessage,
    Registration,
    UTCDateTime,
    _enum,
    utcnow,
)
from events.people import clean_line, clean_text, clean_web_address


class ResourceTiming(enum.StrEnum):
    before = "before"
    after = "after"

    @property
    def label(self) -> str:
        return {"before": "Before the event", "after": "After the event"}[self.value]


class ResourceAudience(enum.StrEnum):
    public = "public"
    registered = "registered"

    @property
    def label(self) -> str:
        return {"public": "Anyone", "registered": "People with a place"}[self.value]


class ResourceKind(enum.StrEnum):
    reading = "reading"
    recording = "recording"
    slides = "slides"
    link = "link"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Resource(Base):
    """One thing to read, watch or open, before or after an event."""

    __tablename__ = "resources"
    __table_args__ = (Index("ix_resources_event_id_position", "event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    # Order among the event's resources, smallest first (gaps allowed).
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ResourceKind] = mapped_column(_enum(ResourceKind, "resource_kind"))
    timing: Mapped[ResourceTiming] = mapped_column(_enum(ResourceTiming, "resource_timing"))
    audience: Mapped[ResourceAudience] = mapped_column(
        _enum(ResourceAudience, "resource_audience"))
    title: Mapped[str] = mapped_column(String(limits.RESOURCE_TITLE_MAX))
    # http or https only, or empty (a chapter of a book needs no link).
    url: Mapped[str] = mapped_column(String(limits.RESOURCE_URL_MAX), default="")
    # Markdown, sanitised when shown (events.descriptions).
    description: Mapped[str] = mapped_column(Text, default="")
    # A book discussion's reading plan is its kick-off's resources with a week
    # (1-based): what to read that week, and in ``description`` a question to
    # think about. None for an event's own resources.
    week: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()

    @hybrid_method
    def shown(self, has_place: bool, event_started: bool) -> bool:
        """Whether a reader sees this resource: a public one, or any if they hold a place;
        one for before the event at once, one for after it from the event's start."""
        return bool((self.audience == ResourceAudience.public or has_place)
                    and (self.timing == ResourceTiming.before or event_started))

    @shown.inplace.expression
    @classmethod
    def _shown_expression(cls, has_place: bool,
                          event_started: ColumnElement[bool]) -> ColumnElement[bool]:
        return and_(or_(cls.audience == ResourceAudience.public,
                        true() if has_place else false()),
                    or_(cls.timing == ResourceTiming.before, event_started))


@dataclass
class ResourcePlan:
    """What an organiser types about a resource."""

    title: str
    kind: str = ResourceKind.link.value
    timing: str = ResourceTiming.before.value
    audience: str = ResourceAudience.public.value
    url: str = ""
    description: str = ""


def _choice(enum_type: type[enum.StrEnum], raw: object, field: str, question: str) -> Any:
    try:
        return enum_type(raw)
    except ValueError:
        raise InvalidInput(question, field=field) from None


def _values(plan: ResourcePlan) -> dict[str, object]:
    return dict(
        title=clean_line(plan.title, "title", "title", limits.RESOURCE_TITLE_MAX,
                         required=True),
        kind=_choice(ResourceKind, plan.kind, "kind", "Choose what kind of resource it is."),
        timing=_choice(ResourceTiming, plan.timing, "timing",
                       "Choose whether it is for before or after the event."),
        audience=_choice(ResourceAudience, plan.audience, "audience",
                         "Choose who may see it."),
        url=clean_web_address(plan.url, "url", "link", limits.RESOURCE_URL_MAX),
        description=clean_text(plan.description, "description", "description",
                               limits.RESOURCE_DESCRIPTION_MAX),
    )


def add_resource(session: Session, event: Event, plan: ResourcePlan) -> Resource:
    """Attach a resource to the event, after its others."""
    values = _values(plan)
    count, last = session.execute(
        select(func.count(), func.max(Resource.position)).where(Resource.event_id == event.id)
    ).one()
    if count >= limits.RESOURCES_PER_EVENT:
        raise InvalidInput(f"An event can carry at most {limits.RESOURCES_PER_EVENT} "
                           "resources; remove one first.", field="title")
    resource = Resource(event=event, position=(last or 0) + 1, **values)
    session.add(resource)
    session.flush()
    return resource


def edit_resource(session: Session, resource: Resource, plan: ResourcePlan) -> Resource:
    """Change what a resource says, where it points, when and to whom it is shown."""
    for name, value in _values(plan).items():
        setattr(resource, name, value)
    session.flush()
    return resource


def remove_resource(session: Session, resource: Resource) -> None:
    """Take a resource off its event."""
    session.delete(resource)
    session.flush()


def move_resource(session: Session, resource: Resource, step: int) -> Resource:
    """Swap the resource with its neighbour: earlier for ``step`` -1, later for +1.

    At either end it stays where it is.
    """
    if step not in (-1, 1):
        raise InvalidInput("Move a resource one place up or down.")
    siblings = of_event(session, resource.event_id)
    # Positions may tie (or have gaps) after removals: renumber as shown.
    for number, sibling in enumerate(siblings, start=1):
        sibling.position = number
    index = siblings.index(resource)
    other = index + step
    if 0 <= other < len(siblings):
        neighbour = siblings[other]
        resource.position, neighbour.position = neighbour.position, resource.position
    session.flush()
    return resource


def resource_of(session: Session, event: Event, resource_id: int) -> Resource:
    """One of the event's resources; any other is ``NotFound``."""
    resource = session.get(Resource, resource_id)
    if resource is None or resource.event_id != event.id:
        raise NotFound("The event has no such resource.")
    return resource


def _in_order() -> tuple[Any, ...]:
    return (Resource.position, Resource.id)


def of_event(session: Session, event_id: int) -> list[Resource]:
    """Every resource of the event, in order, whoever may see it (organisers' view)."""
    return list(session.execute(
        select(Resource).where(Resource.event_id == event_id).order_by(*_in_order())
    ).scalars())


def shown_publicly(session: Session, events: Sequence[Event],
                   now: datetime | None = None) -> dict[int, list[Resource]]:
    """The resources anyone may see at ``now``, by event id (every id present), in one query."""
    now = now or utcnow()
    found: dict[int, list[Resource]] = {event.id: [] for event in events}
    if not found:
        return found
    rows = session.execute(
        select(Resource).join(Resource.event)
        .where(Resource.event_id.in_(found),
               Resource.shown(has_place=False, event_started=Event.has_started(now)))
        .order_by(Resource.event_id, *_in_order())
    ).scalars()
    for resource in rows:
        found[resource.event_id].append(resource)
    return found


def for_places(session: Session, places: Iterable[Registration],
               now: datetime | None = None) -> dict[int, list[Resource]]:
    """What each of a person's places shows at ``now``, by registration id, in one query:
    people with a seat also see the resources for registered people."""
    now = now or utcnow()
    places = list(places)
    by_event: dict[int, list[Resource]] = defaultdict(list)
    if places:
        for resource in session.execute(
            select(Resource).where(Resource.event_id.in_({p.event_id for p in places}))
            .order_by(Resource.event_id, *_in_order())
        ).scalars():
            by_event[resource.event_id].append(resource)
    return {place.id: [resource for resource in by_event[place.event_id]
                       if resource.shown(place.holds_seat, place.event.has_started(now))]
            for place in places}


def for_place(session: Session, registration: Registration, timing: ResourceTiming,
              now: datetime | None = None) -> list[Resource]:
    """The resources for ``timing`` (before or after the event) that the holder of
    ``registration`` sees at ``now``: what an e-mail to them lists."""
    return [resource for resource in for_places(session, [registration], now)[registration.id]
            if resource.timing == timing]


# Which e-mails list the resources of their event, and which ones: a reminder
# the pre-reading, a feedback request the recording and slides.
SHOWN_IN = {"reminder": ResourceTiming.before, "feedback_request": ResourceTiming.after,
            "feedback_reminder": ResourceTiming.after}


def for_message(session: Session, message: OutboxMessage) -> list[Resource]:
    """The resources an outbox message lists (none for most kinds)."""
    timing = SHOWN_IN.get(message.kind)
    if timing is None or message.registration is None:
        return []
    # As of sending, like everything else an e-mail shows of its event.
    return for_place(session, message.registration, timing)


def reading_plan(session: Session, event_id: int) -> list[Resource]:
    """A book discussion's reading plan: the resources of its kick-off ``event_id`` that
    belong to a week, week by week (whoever may see them: ask ``Resource.shown``)."""
    return list(session.execute(
        select(Resource).where(Resource.event_id == event_id, Resource.week.is_not(None))
        .order_by(Resource.week, *_in_order())).scalars())


def set_reading_plan(session: Session, event: Event,
                     weeks: Sequence[tuple[str, str]]) -> list[Resource]:
    """Make ``weeks`` (a reading and a question for week 1, 2, ...) the reading plan kept
    with the kick-off ``event``: before it, for people with a place. Its other resources
    stay as they are."""
    for resource in reading_plan(session, event.id):
        session.delete(resource)
    session.flush()
    last = session.execute(select(func.max(Resource.position))
                           .where(Resource.event_id == event.id)).scalar() or 0
    plan = [Resource(event=event, week=week, position=last + week,
                     kind=ResourceKind.reading, timing=ResourceTiming.before,
                     audience=ResourceAudience.registered, title=reading, description=question)
            for week, (reading, question) in enumerate(weeks, start=1)]
    session.add_all(plan)
    session.flush()
    return plan
