"""Organisers plan a book discussion: the book, its kick-off, weeks, threads, meeting slots,
reading plan, and the groups that may be opened.

Threads and slots are typed one a line; the reading plan one week a line, as
``Chapters 1-4 | What does a library owe its town?``. Mistakes come back as
refusals naming the line, and nothing is saved.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, limits, planning, resources
from events.discussions.models import (
    WEEKDAYS,
    BookDiscussion,
    DiscussionGroup,
    DiscussionThread,
    GroupStatus,
    MeetingSlot,
    SignUp,
)
from events.errors import InvalidInput, NotOpen
from events.models import EventKind, Programme
from events.people import clean_email, clean_name, person_for

_SLOT = re.compile(r"^(?P<day>[a-z]{3})[a-z]*\.?\s+(?:at\s+)?(?P<hour>\d{1,2})"
                   r"(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)?$")


@dataclass
class DiscussionPlan:
    """What an organiser types about a book discussion and its kick-off."""

    book_title: str
    kickoff_starts_at_local: datetime | None
    first_week_on: date | None
    threads: str
    slots: str
    book_author: str = ""
    book_isbn: str = ""
    book_url: str = ""
    description: str = ""
    places: int | None = limits.DEFAULT_CAPACITY
    kickoff_meeting_url: str = ""
    weeks: int | None = limits.DEFAULT_DISCUSSION_WEEKS
    meeting_minutes: int | None = limits.DEFAULT_DURATION["group_meeting"]
    min_group_size: int | None = limits.MIN_GROUP_SIZE
    max_group_size: int | None = limits.MAX_GROUP_SIZE
    reading_plan: str = ""


def clean_slot(line: str) -> tuple[int, time]:
    """``"Tuesday 19:30"``, ``"Tue 7:30 pm"`` → (weekday, local time); else a refusal."""
    found = _SLOT.match(" ".join(line.lower().split()))
    days = [day[:3].lower() for day in WEEKDAYS]
    if found is None or found["day"] not in days:
        raise InvalidInput(f"“{line}” is not a weekday and a time, such as Tuesday 19:30.",
                           field="slots")
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    if found["half"]:
        if not 1 <= hour <= 12:
            raise InvalidInput(f"“{line}”: the hour must be 1 to 12 with am or pm.",
                               field="slots")
        hour = hour % 12 + (12 if found["half"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(f"“{line}” is not a time of day.", field="slots")
    return days.index(found["day"]), time(hour, minute)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _threads(text: str) -> list[str]:
    names = _lines(text)
    if len(names) not in limits.DISCUSSION_THREADS:
        raise InvalidInput(f"List the threads one a line: {limits.DISCUSSION_THREADS.hint}.",
                           field="threads")
    for name in names:
        planning._line(name, "threads", "thread", limits.THREAD_NAME_MAX)
    if len({name.lower() for name in names}) != len(names):
        raise InvalidInput("Each thread must be listed once.", field="threads")
    return names


def _slots(text: str) -> list[tuple[int, time]]:
    slots = [clean_slot(line) for line in _lines(text)]
    if len(slots) not in limits.DISCUSSION_SLOTS:
        raise InvalidInput(f"List the meeting times one a line: {limits.DISCUSSION_SLOTS.hint}.",
                           field="slots")
    if len(set(slots)) != len(slots):
        raise InvalidInput("Each meeting time must be listed once.", field="slots")
    return slots


def _reading_plan(text: str, weeks: int) -> list[tuple[str, str]]:
    plan = []
    for number, line in enumerate(_lines(text), start=1):
        reading, _, question = (part.strip() for part in line.partition("|"))
        planning._text(reading, "reading_plan", f"reading of week {number}",
                       limits.RESOURCE_TITLE_MAX, required=True)
        planning._text(question, "reading_plan", f"question of week {number}",
                       limits.QUESTION_MAX)
        plan.append((reading, question))
    if len(plan) > weeks:
        raise InvalidInput(f"The reading plan has {len(plan)} weeks; the discussion has {weeks}.",
                           field="reading_plan")
    return plan


def reading_plan_text(discussion: BookDiscussion) -> str:
    """The reading plan as the organiser types it (for the edit form)."""
    return "\n".join(f"{item.title} | {item.description}".rstrip(" |")
                     for item in discussion.reading_plan)


def save_discussion(session: Session, programme: Programme, plan: DiscussionPlan,
                    discussion: BookDiscussion | None = None) -> BookDiscussion:
    """Create a book discussion with its (draft) kick-off webinar, or update one.

    Threads and meeting times are matched by what they say: new ones are added,
    and one that people already chose or a group takes cannot be removed.
    """
    title = planning._line(plan.book_title, "book_title", "book title", limits.BOOK_TITLE_MAX,
                           required=True)
    weeks = limits.DISCUSSION_WEEKS.check(plan.weeks, "weeks", "number of weeks")
    low = limits.GROUP_SIZE.check(plan.min_group_size, "min_group_size", "smallest group size")
    high = limits.GROUP_SIZE.check(plan.max_group_size, "max_group_size", "largest group size")
    if low > high:
        raise InvalidInput("The smallest group size cannot be more than the largest.",
                           field="min_group_size")
    if plan.first_week_on is None:
        raise InvalidInput("Enter the day week 1 begins.", field="first_week_on")
    values = dict(
        book_title=title,
        book_author=planning._line(plan.book_author, "book_author", "author",
                                   limits.BOOK_AUTHOR_MAX),
        book_isbn=planning._text(plan.book_isbn, "book_isbn", "ISBN", limits.ISBN_MAX),
        book_url=_book_url(plan.book_url),
        weeks=weeks, first_week_on=plan.first_week_on,
        meeting_minutes=limits.DURATION.check(plan.meeting_minutes, "meeting_minutes",
                                              "length of a meeting in minutes"),
        min_group_size=low, max_group_size=high)
    threads, slots = _threads(plan.threads), _slots(plan.slots)
    readings = _reading_plan(plan.reading_plan, weeks)
    kickoff = planning.EventPlan(
        kind=EventKind.webinar.value, title=f"Book discussion kick-off: {title}"[:limits.TITLE_MAX],
        starts_at_local=plan.kickoff_starts_at_local, duration_minutes=None,
        capacity=plan.places, meeting_url=plan.kickoff_meeting_url,
        description=plan.description, book_title=title)
    if discussion is None:
        event = planning.create_event(session, programme, kickoff)
        discussion = BookDiscussion(programme=programme, kickoff=event, **values)
        session.add(discussion)
    else:
        planning.edit_event(session, discussion.kickoff, kickoff)
        for name, value in values.items():
            setattr(discussion, name, value)
    _keep_threads(session, discussion, threads)
    _keep_slots(session, discussion, slots)
    session.flush()
    resources.set_reading_plan(session, discussion.kickoff, readings)
    session.expire(discussion, ["reading_plan"])
    return discussion


def _book_url(raw: object) -> str:
    url = planning._text(raw, "book_url", "link to the book", limits.MEETING_URL_MAX)
    if url and not url.lower().startswith(("http://", "https://")):
        raise InvalidInput("The link to the book must be an http:// or https:// address.",
                           field="book_url")
    return url


def _in_use(session: Session, discussion: BookDiscussion) -> tuple[set[int], set[int]]:
    """Thread and slot ids that sign-ups chose or groups take."""
    threads: set[int] = set()
    slots: set[int] = set()
    if discussion.id is None:
        return threads, slots
    for thread_ids, slot_ids in session.execute(
            select(SignUp.thread_ids, SignUp.slot_ids)
            .where(SignUp.discussion_id == discussion.id)):
        threads.update(thread_ids)
        slots.update(slot_ids)
    for thread_id, slot_id in session.execute(
            select(DiscussionGroup.thread_id, DiscussionGroup.slot_id)
            .where(DiscussionGroup.discussion_id == discussion.id)):
        threads.add(thread_id)
        slots.add(slot_id)
    return threads, slots


def _keep_threads(session: Session, discussion: BookDiscussion, names: list[str]) -> None:
    existing = {thread.name.lower(): thread for thread in discussion.threads}
    used = _in_use(session, discussion)[0]
    for thread in discussion.threads:
        if thread.name.lower() not in {name.lower() for name in names} and thread.id in used:
            raise InvalidInput(f"“{thread.name}” cannot be removed: people chose it or a "
                               "group takes it.", field="threads")
    discussion.threads = [existing.get(name.lower()) or DiscussionThread(name=name)
                          for name in names]
    for position, thread in enumerate(discussion.threads):
        thread.position, thread.name = position, names[position]


def _keep_slots(session: Session, discussion: BookDiscussion,
                slots: list[tuple[int, time]]) -> None:
    existing = {(slot.weekday, slot.local_time): slot for slot in discussion.slots}
    used = _in_use(session, discussion)[1]
    for key, slot in existing.items():
        if key not in slots and slot.id in used:
            raise InvalidInput(f"“{slot.label}” cannot be removed: people chose it or a "
                               "group meets then.", field="slots")
    discussion.slots = [existing.get(key) or MeetingSlot(weekday=key[0], local_time=key[1])
                        for key in slots]


@dataclass
class GroupPlan:
    """What an organiser types about one group."""

    thread_id: int | None
    slot_id: int | None
    facilitator_name: str = ""
    facilitator_email: str = ""
    meeting_url: str = ""
    min_size: int | None = None
    max_size: int | None = None


def save_group(session: Session, discussion: BookDiscussion, plan: GroupPlan,
               group: DiscussionGroup | None = None) -> DiscussionGroup:
    """Offer a group to the forming (or change one): thread, slot, facilitator, room, sizes.

    A group's thread and slot are fixed once it is running: its members chose them.
    """
    if group is not None and group.status == GroupStatus.closed:
        raise NotOpen("This group is closed.")
    thread = next((t for t in discussion.threads if t.id == plan.thread_id), None)
    slot = next((s for s in discussion.slots if s.id == plan.slot_id), None)
    if thread is None:
        raise InvalidInput("Choose one of the discussion's threads.", field="thread_id")
    if slot is None:
        raise InvalidInput("Choose one of the discussion's meeting times.", field="slot_id")
    low = limits.GROUP_SIZE.check(plan.min_size or discussion.min_group_size, "min_size",
                                  "smallest size")
    high = limits.GROUP_SIZE.check(plan.max_size or discussion.max_group_size, "max_size",
                                   "largest size")
    if low > high:
        raise InvalidInput("The smallest size cannot be more than the largest.", field="min_size")
    if group is not None and group.status == GroupStatus.running and (
            (thread.id, slot.id) != (group.thread_id, group.slot_id)):
        raise NotOpen("A running group keeps its thread and meeting time.")
    facilitator = None
    if plan.facilitator_name or plan.facilitator_email:
        facilitator = person_for(session, clean_email(plan.facilitator_email),
                                 clean_name(plan.facilitator_name))
    if group is None:
        group = DiscussionGroup(discussion=discussion, status=GroupStatus.candidate,
                                name=_free_name(session, discussion, thread, slot))
        session.add(group)
    group.thread, group.slot, group.thread_id, group.slot_id = thread, slot, thread.id, slot.id
    group.min_size, group.max_size = low, high
    group.facilitator = facilitator
    group.meeting_url = planning.clean_meeting_url(plan.meeting_url) or group.meeting_url \
        or planning.propose_meeting_room(f"{thread.name} group")
    session.flush()
    _follow_group(session, group)
    return group


def _follow_group(session: Session, group: DiscussionGroup) -> None:
    # A running group's meetings carry its room and facilitator (imported here: the
    # meetings module plans groups' weeks and needs this module's groups).
    from events.discussions import meetings

    if group.status == GroupStatus.running:
        meetings.follow_group(session, group)


def _free_name(session: Session, discussion: BookDiscussion, thread: DiscussionThread,
               slot: MeetingSlot) -> str:
    base = f"{thread.name}, {slot.label}"
    taken = set(session.execute(select(DiscussionGroup.name).where(
        DiscussionGroup.discussion_id == discussion.id)).scalars())
    number = 1
    while (name := base if number == 1 else f"{base} ({number})") in taken:
        number += 1
    return name[:limits.TITLE_MAX]


def offer_groups_for_every_thread_and_slot(session: Session,
                                           discussion: BookDiscussion) -> list[DiscussionGroup]:
    """Offer enough candidate groups for every thread at every slot, as the people who can
    make each slot would fill them at the largest size (at least one each)."""
    if discussion.groups_published:
        raise NotOpen("The groups are published; add a group one at a time.")
    from events.discussions.forming import confirmed_sign_ups

    people = confirmed_sign_ups(session, discussion)
    counts = {(thread, slot): count for thread, slot, count in session.execute(
        select(DiscussionGroup.thread_id, DiscussionGroup.slot_id, func.count())
        .where(DiscussionGroup.discussion_id == discussion.id)
        .group_by(DiscussionGroup.thread_id, DiscussionGroup.slot_id))}
    added = []
    for slot in discussion.slots:
        available = sum(slot.id in sign_up.slot_ids for sign_up in people)
        wanted = max(1, math.ceil(available / discussion.max_group_size))
        for thread in discussion.threads:
            for _ in range(wanted - counts.get((thread.id, slot.id), 0)):
                added.append(save_group(session, discussion, GroupPlan(thread.id, slot.id)))
    return added


def set_places(session: Session, discussion: BookDiscussion, places: object) -> None:
    """How many people the discussion takes (its kick-off's capacity); more places
    take people from the waitlist in turn."""
    booking.change_capacity(session, discussion.kickoff_event_id, places)
