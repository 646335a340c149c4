"""Every limit and default a person meets in Mingle, each written once.

The domain's checks, the organisers' forms, the database columns and the demo
all read them here, so a form can never accept what the domain refuses (or
the other way round). Change a value here and every one of them follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from events.errors import InvalidInput


@dataclass(frozen=True)
class Bounds:
    """An inclusive range of whole numbers, and how to say it to a person."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return (isinstance(value, int) and not isinstance(value, bool)
                and self.low <= value <= self.high)

    @property
    def hint(self) -> str:
        """E.g. 'a whole number from 1 to 1000' (forms and refusals say it alike)."""
        return f"a whole number from {self.low} to {self.high}"

    def check(self, raw: object, field: str, label: str) -> int:
        """``raw`` if it is a whole number within these bounds; else a refusal for ``field``."""
        if raw not in self:
            raise InvalidInput(f"The {label} must be {self.hint}.", field=field)
        return raw  # type: ignore[return-value]


# Seats at one event. Online rooms of the tools the programmes use hold about
# a thousand people; nobody is ever removed to fit a lowered capacity.
CAPACITY = Bounds(1, 1000)
DEFAULT_CAPACITY = 200
# Minutes an event lasts, and the default per kind of event.
DURATION = Bounds(5, 600)
DEFAULT_DURATION = {"conversation": 30, "webinar": 60, "showcase": 45, "group_meeting": 60}
# The organisers' measure of success: people per event.
TARGET_ATTENDANCE = Bounds(1, 1000)
# Reminders go this many minutes before the start (two weeks at most).
REMINDER_OFFSET = Bounds(5, 14 * 24 * 60)
DEFAULT_REMINDER_OFFSETS = (24 * 60, 60)

# A programme's home and its after-hours window on weekdays.
DEFAULT_TIMEZONE = "Pacific/Auckland"
DEFAULT_AFTER_HOURS_START = time(17, 30)
DEFAULT_AFTER_HOURS_END = time(21, 30)
DEFAULT_WEEKENDS_OPEN = True
# Events may be planned from last year to this many years ahead.
PLANNING_YEARS_BACK, PLANNING_YEARS_AHEAD = 1, 10

# The personal join link opens the room from this long before the start
# until this long after the end.
JOIN_OPENS_BEFORE = timedelta(minutes=30)
JOIN_CLOSES_AFTER_END = timedelta(hours=1)
# Guests, facilitators and presenters are let in earlier, to set up and check sound.
SPEAKER_JOIN_OPENS_BEFORE = timedelta(minutes=60)
# An invitation nobody answered is recalled this long after it was sent, once each.
SPEAKER_UNANSWERED_REMINDERS = (timedelta(days=3), timedelta(days=7))
# Confirmed speakers get their briefing and join link this long before the start.
SPEAKER_BRIEFING_REMINDER = timedelta(days=2)
# One "lost your link" e-mail per person in this window, however often asked.
LOST_LINK_QUIET = timedelta(minutes=10)
# One password-reset e-mail per account in this window, however often asked.
RESET_EMAIL_QUIET = timedelta(minutes=5)
# Logging in, per account (counted by the e-mail typed, from any source address):
# this many wrong passwords go free; each one after waits twice as long as the
# last before the next try, from the first delay up to the longest. A burst of
# failures is forgotten after a quiet spell, and the account holder is told
# by e-mail once per burst, when the free failures are used up.
LOGIN_FREE_FAILURES = 5
LOGIN_FIRST_DELAY = timedelta(seconds=30)
LOGIN_LONGEST_DELAY = timedelta(minutes=15)
LOGIN_FAILURES_FORGOTTEN_AFTER = timedelta(hours=1)
# People with no registration, role, vote, comment or sign-up for this long may
# be forgotten by an organiser (``flask --app wsgi purge-inactive``).
FORGET_INACTIVE_AFTER = timedelta(days=730)
# Cancelled events stay in feeds this long, so subscribed calendars drop them.
CANCELLED_KEPT_IN_FEEDS = timedelta(days=30)
# The home page and the API list at most this many upcoming events.
UPCOMING_SHOWN = 100
# A programme's page lists this many of its upcoming events (its feed has them all).
PROGRAMME_UPCOMING_SHOWN = 20
# Resources an event may carry (readings, recordings, slides, links).
RESOURCES_PER_EVENT = 50
# An attendance report (CSV) an organiser uploads.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# The roster shows this many people per page (a 200-seat event with its
# waitlist runs to thousands of rows), and the head of the waitlist above it.
ROSTER_PAGE_SIZE = 100
ROSTER_WAITLIST_SHOWN = 10
# A message to more people than a handful, or a change to more than one person
# at once, asks on a second page before it goes.
MESSAGE_CONFIRM_ABOVE = 5
# The largest request body read at all (MAX_CONTENT_LENGTH): the attendance report,
# with room for the multipart framing and the form's other fields; anything larger
# is refused (413) before it is read.
REQUEST_MAX_BYTES = IMPORT_MAX_BYTES + 64 * 1024

# Lengths of what people type, in characters (the columns are as wide).
PERSON_NAME_MAX = 200
EMAIL_MAX = 320
PASSWORD_MIN, PASSWORD_MAX = 10, 200
PROGRAMME_NAME_MAX = 200
SLUG_MAX = 80
SENDER_NAME_MAX = 200
TIMEZONE_MAX = 64
TITLE_MAX = 200
THEME_MAX = 200
DESCRIPTION_MAX = 20_000
MEETING_URL_MAX = 500
UNIT_NAME_MAX = 200
PROMPT_MAX = 5000
BOOK_TITLE_MAX = 300
CANCEL_REASON_MAX = 2000
SUBJECT_MAX = 200
MESSAGE_MAX = 10_000
REMINDER_OFFSETS_TEXT_MAX = 200
BIO_MAX = 2000
INVITATION_MESSAGE_MAX = 5000
ANSWER_NOTE_MAX = 2000
BRIEFING_MAX = 20_000
RESOURCE_TITLE_MAX = 200
RESOURCE_URL_MAX = 2000
RESOURCE_DESCRIPTION_MAX = 5000

# Feedback after an event (events.feedback). The form stays open this long
# after the end; the request goes this many minutes after the end (organisers
# may wait for attendance to be taken), and one reminder the next evening at
# this time in the programme's zone.
FEEDBACK_OPEN_FOR = timedelta(days=14)
FEEDBACK_DELAY = Bounds(0, 7 * 24 * 60)
DEFAULT_FEEDBACK_DELAY = 0
DEFAULT_FEEDBACK_REMINDER_AT = time(19, 0)
# The follow-up ("have you used what you learned?") goes this long after the
# series' last event, and stays open as long as the evening form.
FOLLOW_UP_AFTER = timedelta(weeks=6)
# A series states up to this many outcomes that participants rate themselves on.
OUTCOMES_MAX = 3
OUTCOME_MAX = 300
# Ratings and self-assessments are on a scale of 1 to 5.
RATING = Bounds(1, 5)
FEEDBACK_TEXT_MAX = 2000
# Small numbers protect people: a breakdown of fewer answers than this shows
# how many there are, never what they say.
FEWEST_SHOWN = 5

# The ideas board. Active votes a person may hold on one board at a time (per
# stage: challenges, then ideas), and how many votes with a helper make an idea
# ready. Votes come back when an idea is done or declined.
VOTE_BUDGET = Bounds(1, 50)
DEFAULT_VOTE_BUDGET = 5
READY_VOTES = Bounds(1, 1000)
DEFAULT_READY_VOTES = 5
# Challenges whose ideas the second stage asks for: the most supported ones.
FINALISTS = Bounds(1, 50)
DEFAULT_FINALISTS = 3
IDEA_TITLE_MAX = 200
IDEA_BODY_MAX = 5000
COMMENT_MAX = 2000
IDEA_REASON_MAX = 1000
BOARD_INTRO_MAX = 5000
ALLOWED_DOMAINS_MAX = 2000
ALLOWED_DOMAINS_LABEL_MAX = 100
# Similar ideas shown while proposing, at most.
SIMILAR_SHOWN = 5
# A link to confirm an address is good for a day; the browser that follows it
# may then act for that address for 30 days (or until it is forgotten).
BROWSER_LINK_VALID_FOR = timedelta(days=1)
VERIFIED_BROWSER_FOR = timedelta(days=30)
# Actions waiting for one address join the link already sent in this window,
# so a person voting for three ideas before confirming gets one e-mail.
BROWSER_LINK_QUIET = timedelta(minutes=10)
PENDING_ACTIONS_MAX = 10
# People who asked for an event (proposed, voted, offered help) may RSVP this
# long before everyone else.
EARLY_ACCESS = timedelta(hours=48)

# Book discussions. Sizes a discussion group works at: below six the talk runs
# dry when two are away, above eight not everyone gets to speak in an hour.
MIN_GROUP_SIZE = 6
MAX_GROUP_SIZE = 8
# What an organiser may set a group's limits to.
GROUP_SIZE = Bounds(2, 20)
DISCUSSION_WEEKS = Bounds(1, 12)
DEFAULT_DISCUSSION_WEEKS = 4
# Threads and meeting slots a discussion offers.
DISCUSSION_THREADS = Bounds(1, 12)
DISCUSSION_SLOTS = Bounds(1, 10)
THREAD_NAME_MAX = 120
BOOK_AUTHOR_MAX = 200
ISBN_MAX = 20
QUESTION_MAX = 1000
# The week-2 check: a group with fewer than this many people at its second meeting
# is running dry, and the organisers are told so with what would help.
WEEK_TWO = 2
WEEK_TWO_LEAST_ATTENDING = 4

# Planning. Seats an event of each kind offers unless the organisers say otherwise:
# a group meeting is one small discussion group's, not a 200-seat conversation's.
DEFAULT_CAPACITY_BY_KIND = {"conversation": DEFAULT_CAPACITY, "webinar": DEFAULT_CAPACITY,
                            "showcase": DEFAULT_CAPACITY, "group_meeting": MAX_GROUP_SIZE}
# Kinds whose events take their series' target when they have none of their own. A
# group meeting's success is not measured against a target set for big conversations:
# it has its own target, or none.
SERIES_TARGET_KINDS = frozenset({"conversation", "webinar", "showcase"})
# "Repeat weekly" plans this many more events at once, at most.
REPEAT_WEEKS = Bounds(1, 26)
# The participant limit of a programme's meeting platform (many free plans stop at 100).
PLATFORM_LIMIT = Bounds(2, 100_000)
# Above this many seats an event gets the guidance for large online groups.
LARGE_GROUP = 50
