"""Planning a season: programmes, series, events of every kind, and their status.

Edits of time, duration or title go through ``events.changes`` so every
confirmed participant's calendar follows; a cancellation goes out the same
way. Capacity goes through ``events.booking`` so the waitlist moves up when
seats are added.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import (
    booking,
    changes,
    early_access,
    invitations,
    limits,
    pending_invitations,
    signed_links,
)
from events.errors import InvalidInput, NotOpen
from events.models import (
    Event,
    EventKind,
    EventStatus,
    Programme,
    RoleKind,
    Series,
    utcnow,
)
from events.people import clean_email, clean_web_address
from events.people import clean_line as _line
from events.people import clean_text as _text
from events.scheduling import clean_zone, to_utc

Saved = TypeVar("Saved", Programme, Series)

# Which status may follow which; anything else is refused.
STATUS_MOVES = {
    EventStatus.draft: {EventStatus.published, EventStatus.cancelled},
    EventStatus.published: {EventStatus.completed, EventStatus.cancelled},
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
JITSI = "https://meet.jit.si/"
# Fields only some kinds have (a showcase's unit and prompts, a webinar's book);
# an event of another kind keeps them empty, and its form does not show them.
KIND_ONLY_FIELDS = {
    "unit_name": {EventKind.showcase},
    "prompt_work": {EventKind.showcase},
    "prompt_challenges": {EventKind.showcase},
    "prompt_direction": {EventKind.showcase},
    "book_title": {EventKind.webinar},
}
# Who may be named on the form that creates an event of each kind, in that order.
PEOPLE_OF_KIND = {
    EventKind.conversation: (RoleKind.guest, RoleKind.facilitator),
    EventKind.webinar: (RoleKind.presenter, RoleKind.facilitator),
    EventKind.showcase: (RoleKind.presenter, RoleKind.facilitator),
    EventKind.group_meeting: (RoleKind.facilitator,),
}


def has_field(kind: EventKind, name: str) -> bool:
    """Whether events of ``kind`` have the field ``name`` (most fields belong to every kind)."""
    return kind in KIND_ONLY_FIELDS.get(name, set(EventKind))


def default_capacity(kind: EventKind) -> int:
    """Seats an event of ``kind`` offers unless the organisers say otherwise."""
    return limits.DEFAULT_CAPACITY_BY_KIND[kind.value]


def _save(session: Session, model: type[Saved], row: Saved | None,
          values: dict[str, Any]) -> Saved:
    """Create ``model`` from checked ``values``, or write them onto ``row``."""
    if row is None:
        row = model(**values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.flush()
    return row


def clean_target(raw: object) -> int | None:
    """A target attendance: empty, or a whole number within ``limits.TARGET_ATTENDANCE``."""
    return None if raw is None or raw == "" else limits.TARGET_ATTENDANCE.check(
        raw, "target_attendance", "target")


def clean_meeting_url(raw: object) -> str:
    """An http or https address with a host, or empty (to be set later)."""
    return clean_web_address(raw, "meeting_url", "meeting link", limits.MEETING_URL_MAX)


def propose_meeting_room(title: str) -> str:
    """A fresh Jitsi Meet room: a readable prefix and 80 random bits nobody can guess."""
    prefix = "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:40].strip("-") or "mingle"
    random_part = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return f"{JITSI}{prefix}-{random_part}"


def clean_reminder_offsets(raw: object) -> list[int]:
    """Reminder offsets as minutes before the start, e.g. ``"1440, 60"``; largest first."""
    text = raw if isinstance(raw, str) else ""
    offsets = []
    for piece in filter(None, (part.strip() for part in text.split(","))):
        minutes = signed_links.small_id(piece)
        if minutes not in limits.REMINDER_OFFSET:
            raise InvalidInput("List minutes before the start, separated by commas, each "
                               f"{limits.REMINDER_OFFSET.hint}, e.g. "
                               f"{reminder_offsets_text(limits.DEFAULT_REMINDER_OFFSETS)}.",
                               field="reminder_offsets")
        offsets.append(minutes)
    return sorted(set(offsets), reverse=True)


def reminder_offsets_text(offsets: list[int] | tuple[int, ...]) -> str:
    """Offsets as an organiser types them: ``"1440, 60"``."""
    return ", ".join(map(str, offsets))


@dataclass
class ProgrammePlan:
    """What an organiser types about a programme."""

    name: str
    slug: str
    timezone: str
    after_hours_start: time = limits.DEFAULT_AFTER_HOURS_START
    after_hours_end: time = limits.DEFAULT_AFTER_HOURS_END
    weekends_open: bool = limits.DEFAULT_WEEKENDS_OPEN
    description: str = ""
    sender_name: str = ""
    reminder_offsets: str = reminder_offsets_text(limits.DEFAULT_REMINDER_OFFSETS)
    # How many people the meeting platform lets into one meeting, if known.
    platform_participant_limit: int | None = None
    contact_email: str = ""


def save_programme(session: Session, plan: ProgrammePlan,
                   programme: Programme | None = None) -> Programme:
    """Create a programme from ``plan``, or update ``programme`` with it."""
    slug = _line(plan.slug, "slug", "short name", limits.SLUG_MAX, required=True).lower()
    if not SLUG.match(slug):
        raise InvalidInput("Use lower-case letters, digits and single hyphens, "
                           "e.g. library-conversations.", field="slug")
    taken = session.execute(select(Programme.id).where(Programme.slug == slug)).scalar()
    if taken is not None and (programme is None or taken != programme.id):
        raise InvalidInput("Another programme already uses that short name.", field="slug")
    if not isinstance(plan.after_hours_start, time) or not isinstance(plan.after_hours_end, time):
        raise InvalidInput("Enter the window's start and end times.", field="after_hours_start")
    if plan.after_hours_end <= plan.after_hours_start:
        raise InvalidInput("The window must end after it starts.", field="after_hours_end")
    values = dict(
        name=_line(plan.name, "name", "name", limits.PROGRAMME_NAME_MAX, required=True),
        slug=slug,
        description=_text(plan.description, "description", "description",
                          limits.DESCRIPTION_MAX),
        timezone=clean_zone(plan.timezone),
        after_hours_start=plan.after_hours_start,
        after_hours_end=plan.after_hours_end,
        weekends_open=bool(plan.weekends_open),
        sender_name=_line(plan.sender_name, "sender_name", "sender name",
                          limits.SENDER_NAME_MAX),
        reminder_offsets=clean_reminder_offsets(plan.reminder_offsets),
        platform_participant_limit=None if plan.platform_participant_limit is None
        else limits.PLATFORM_LIMIT.check(plan.platform_participant_limit,
                                         "platform_participant_limit",
                                         "meeting platform's participant limit"),
        contact_email=clean_contact_email(plan.contact_email),
    )
    return _save(session, Programme, programme, values)


def clean_contact_email(raw: object) -> str:
    """A programme's contact address, or empty (the site's sender stands in)."""
    if not isinstance(raw, str) or not raw.strip():
        return ""
    try:
        return clean_email(raw)
    except InvalidInput as error:
        raise InvalidInput(error.message, field="contact_email") from None


@dataclass
class SeriesPlan:
    """What an organiser types about a series."""

    title: str
    theme: str = ""
    description: str = ""
    target_attendance: int | None = None


def save_series(session: Session, programme: Programme, plan: SeriesPlan,
                series: Series | None = None) -> Series:
    """Create a series in ``programme`` from ``plan``, or update ``series`` with it."""
    values = dict(
        title=_line(plan.title, "title", "title", limits.TITLE_MAX, required=True),
        theme=_line(plan.theme, "theme", "theme", limits.THEME_MAX),
        description=_text(plan.description, "description", "description",
                          limits.DESCRIPTION_MAX),
        target_attendance=clean_target(plan.target_attendance),
    )
    return _save(session, Series, series, {"programme": programme, **values})


@dataclass
class EventPlan:
    """What an organiser types about an event; the start is wall-clock time in the zone."""

    kind: str
    title: str
    starts_at_local: datetime | None
    duration_minutes: int | None = None
    # None: the usual for the kind (``default_capacity``).
    capacity: int | None = None
    waitlist_enabled: bool = True
    meeting_url: str = ""
    description: str = ""
    target_attendance: int | None = None
    series_id: int | None = None
    unit_name: str = ""
    prompt_work: str = ""
    prompt_challenges: str = ""
    prompt_direction: str = ""
    book_title: str = ""
    recorded: bool = False


def _event_values(session: Session, programme: Programme, plan: EventPlan) -> dict[str, object]:
    try:
        kind = EventKind(plan.kind)
    except ValueError:
        raise InvalidInput("Choose what kind of event this is.", field="kind") from None
    if plan.starts_at_local is None:
        raise InvalidInput("Enter the date and time it starts.", field="starts_at")
    series_id = plan.series_id or None
    if series_id is not None:
        series = session.get(Series, series_id)
        if series is None or series.programme_id != programme.id:
            raise InvalidInput("Choose a series of this programme.", field="series_id")
    duration = plan.duration_minutes or kind.default_duration
    capacity = default_capacity(kind) if plan.capacity is None else plan.capacity
    values: dict[str, object] = dict(
        kind=kind,
        title=_line(plan.title, "title", "title", limits.TITLE_MAX, required=True),
        starts_at=to_utc(plan.starts_at_local, programme.timezone),
        duration_minutes=limits.DURATION.check(duration, "duration_minutes",
                                               "duration in minutes"),
        capacity=limits.CAPACITY.check(capacity, "capacity", "capacity"),
        waitlist_enabled=bool(plan.waitlist_enabled),
        meeting_url=clean_meeting_url(plan.meeting_url),
        description=_text(plan.description, "description", "description",
                          limits.DESCRIPTION_MAX),
        target_attendance=clean_target(plan.target_attendance),
        series_id=series_id,
        unit_name=_line(plan.unit_name, "unit_name", "unit name", limits.UNIT_NAME_MAX),
        prompt_work=_text(plan.prompt_work, "prompt_work", "answer", limits.PROMPT_MAX),
        prompt_challenges=_text(plan.prompt_challenges, "prompt_challenges", "answer",
                                limits.PROMPT_MAX),
        prompt_direction=_text(plan.prompt_direction, "prompt_direction", "answer",
                               limits.PROMPT_MAX),
        book_title=_line(plan.book_title, "book_title", "book title", limits.BOOK_TITLE_MAX),
        recorded=bool(plan.recorded),
    )
    for name in KIND_ONLY_FIELDS:
        if not has_field(kind, name):
            values[name] = ""
    return values


def create_event(session: Session, programme: Programme, plan: EventPlan,
                 people: Sequence[invitations.InvitationPlan] = (),
                 send_invitations: bool = True, now: datetime | None = None) -> Event:
    """Add a draft event to the programme; the public sees it once it is published.

    ``people`` (its guest, facilitator, ...) are invited in the same transaction, or,
    without ``send_invitations``, kept as pending invitations to send later.
    """
    values = _event_values(session, programme, plan)
    event = Event(programme=programme, timezone=programme.timezone,
                  status=EventStatus.draft, **values)
    session.add(event)
    session.flush()
    for person in people:
        _add_person(session, event, person, send_invitations, now or utcnow())
    return event


def _add_person(session: Session, event: Event, person: invitations.InvitationPlan,
                send: bool, now: datetime) -> None:
    if RoleKind(person.kind) not in PEOPLE_OF_KIND[event.kind]:
        raise InvalidInput(f"A {event.kind.label.lower()} has no {person.kind}.",
                           field=f"{person.kind}_name")
    try:
        if send:
            invitations.invite(session, event, person, now)
        else:
            pending_invitations.add_pending(session, event, person)
    except InvalidInput as refusal:
        # The form names each person's fields by their part: guest_name, guest_email.
        raise InvalidInput(refusal.message, field=f"{person.kind}_{refusal.field}") from None


def edit_event(session: Session, event: Event, plan: EventPlan) -> Event:
    """Apply an organiser's edit; participants hear of new times, lengths and titles."""
    if event.status in (EventStatus.cancelled, EventStatus.completed):
        raise NotOpen(f"A {event.status.value} event can no longer be edited.")
    values = _event_values(session, event.programme, plan)
    material = {name: values.pop(name) for name in changes.MATERIAL_FIELDS}
    capacity = values.pop("capacity")
    event = changes.update_event(session, event.id, **material)  # type: ignore[arg-type]
    for name, value in values.items():
        setattr(event, name, value)
    event.timezone = event.programme.timezone
    if capacity != event.capacity:
        booking.change_capacity(session, event.id, capacity)
    session.flush()
    return event


def change_status(session: Session, event: Event, status: EventStatus,
                  reason: str = "", now: datetime | None = None) -> Event:
    """Move the event along draft → published → completed, or to cancelled.

    Cancelling a published event tells its participants, with ``reason``.
    """
    now = now or utcnow()
    if status not in STATUS_MOVES.get(event.status, set()):
        raise NotOpen(f"A {event.status.value} event cannot become {status.value}.")
    if status == EventStatus.cancelled:
        reason = _text(reason, "reason", "reason", limits.CANCEL_REASON_MAX)
        if event.status == EventStatus.published and not reason:
            raise InvalidInput("Tell participants why it is cancelled.", field="reason")
        return changes.cancel_event(session, event.id, reason)
    if status == EventStatus.completed and event.starts_at > now:
        raise NotOpen("An event can be marked completed once it has started.")
    event.status = status
    session.flush()
    if status == EventStatus.published:
        # People who asked for it on the ideas board hear first and may RSVP first.
        early_access.open_early(session, event, now)
    return event
