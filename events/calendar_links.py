"""Links that put a public event into someone's calendar without a file or an e-mail.

Google Calendar and Outlook (personal and work accounts) take an event as
query parameters of a "compose" page; Apple Calendar and the rest take the
``.ics`` download; anyone may subscribe to a feed through ``webcal://``,
which Apple and Outlook open as a subscription, or through Google's
"add by URL". Nothing here ever carries the meeting link: these links are
public and get shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from events.calendar import PUBLIC_LOCATION
from events.descriptions import markdown_to_text
from events.models import Event, EventStatus, Programme, Series
from events.site import Site

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COM_COMPOSE = "https://outlook.live.com/calendar/0/action/compose"
MICROSOFT_365_COMPOSE = "https://outlook.office.com/calendar/0/action/compose"
# Long query strings are cut by some browsers and proxies; the event page
# linked at the end of the text holds everything else.
DETAILS_MAX = 1000


@dataclass(frozen=True)
class FeedLink:
    """One subscribable feed, in the forms calendar apps accept."""

    label: str
    https_url: str
    webcal_url: str
    google_url: str


@dataclass(frozen=True)
class CalendarLinks:
    """Everything an "Add to calendar" block offers for one event."""

    google: str
    outlook_com: str
    microsoft_365: str
    download: str
    feeds: list[FeedLink]


def webcal_url(https_url: str) -> str:
    """The ``webcal://`` form of a feed address, which opens a subscription."""
    parts = urlsplit(https_url)
    return urlunsplit(("webcal", parts.netloc, parts.path, parts.query, ""))


def feed_link(label: str, https_url: str) -> FeedLink:
    """A feed's address as a webcal link, a plain link and Google's "add by URL"."""
    webcal = webcal_url(https_url)
    google = f"{GOOGLE_TEMPLATE}?{_query({'cid': webcal})}"
    return FeedLink(label=label, https_url=https_url, webcal_url=webcal, google_url=google)


def event_details(event: Event, site: Site) -> str:
    """The plain-text body for compose links: description, then the event page."""
    page = site.links.event_page(event.id)
    text = markdown_to_text(event.description or "")
    if len(text) > DETAILS_MAX:
        text = text[:DETAILS_MAX].rsplit(" ", 1)[0] + " …"
    return f"{text}\n\n{page}" if text else page


def _query(values: dict[str, str]) -> str:
    # Spaces as %20 (Outlook shows a "+" literally); "/" kept as in the
    # documented ``dates=start/end`` form.
    return urlencode(values, quote_via=quote, safe="/")


def _utc(moment: datetime, pattern: str) -> str:
    return moment.astimezone(UTC).strftime(pattern)


def google_url(event: Event, site: Site) -> str:
    """Google Calendar's event template, with UTC start/end (no zone guessing)."""
    dates = (f"{_utc(event.starts_at, '%Y%m%dT%H%M%SZ')}/"
             f"{_utc(event.ends_at, '%Y%m%dT%H%M%SZ')}")
    query = {"action": "TEMPLATE", "text": event.title, "dates": dates,
             "details": event_details(event, site), "location": PUBLIC_LOCATION}
    return f"{GOOGLE_TEMPLATE}?{_query(query)}"


def outlook_url(event: Event, site: Site, compose: str = OUTLOOK_COM_COMPOSE) -> str:
    """Outlook's compose deeplink (Outlook.com by default, or Microsoft 365's)."""
    query = {"rru": "addevent", "subject": event.title,
             "startdt": _utc(event.starts_at, "%Y-%m-%dT%H:%M:%SZ"),
             "enddt": _utc(event.ends_at, "%Y-%m-%dT%H:%M:%SZ"),
             "body": event_details(event, site), "location": PUBLIC_LOCATION}
    return f"{compose}?{_query(query)}"


def programme_feed_link(programme: Programme, site: Site) -> FeedLink:
    """The programme's feed, in every form."""
    return feed_link(programme.name, site.links.programme_feed(programme.slug))


def series_feed_link(series: Series, site: Site) -> FeedLink:
    """The series' feed, in every form."""
    return feed_link(f"{series.programme.name}: {series.title}",
                     site.links.series_feed(series.id))


def links_for(event: Event, site: Site) -> CalendarLinks:
    """Every way to add ``event``, or subscribe to public feeds that include it."""
    feeds = []
    if event.programme.is_published:
        feeds.append(programme_feed_link(event.programme, site))
    if event.series is not None and event.series.is_listed:
        feeds.append(series_feed_link(event.series, site))
    feeds.append(feed_link("All Mingle events", site.links.all_events_feed()))
    return CalendarLinks(
        google=google_url(event, site),
        outlook_com=outlook_url(event, site),
        microsoft_365=outlook_url(event, site, MICROSOFT_365_COMPOSE),
        download=site.links.event_download(event.id),
        feeds=feeds,
    )


def can_be_added(event: Event) -> bool:
    """Whether offering to add the event makes sense: not for a cancelled one."""
    return event.status != EventStatus.cancelled
