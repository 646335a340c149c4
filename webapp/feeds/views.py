"""Calendar downloads and subscribable feeds, with conditional GET."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from events import calendar, calendar_links, catalogue, listings
from events.models import utcnow
from webapp.caching import cached
from webapp.extensions import db
from webapp.site import current_site

bp = Blueprint("feeds", __name__)

# Feeds tell clients to keep them for five minutes; a tenth of a second more
# for changes made by other processes spares almost every poll a database query.
FEED_FRESH_WITHIN = 0.1
# How long clients may keep a calendar before asking again (seconds).
FEED_MAX_AGE = 300
# What an empty feed reports as its Last-Modified: it has no events to date it.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@bp.app_context_processor
def add_to_calendar_links() -> dict[str, Any]:
    """Lets the "Add to calendar" partial build its links from the domain."""
    return {"calendar_links": lambda event: calendar_links.links_for(event, current_site()),
            "can_add_to_calendar": calendar_links.can_be_added}


def calendar_response(body: bytes, filename: str, *, last_modified: datetime | None = None,
                      etag: str | None = None, private: bool = False) -> Response:
    """Serve iCalendar bytes (every .ics answer goes through here): a strong ETag,
    304 when unchanged, and kept five minutes (by the browser alone if ``private``)."""
    return _calendar_response(body, filename, last_modified, etag,
                              private).make_conditional(request)


def _calendar_response(body: bytes, filename: str, last_modified: datetime | None,
                       etag: str | None = None, private: bool = False) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(etag or _etag(body))
    if last_modified is not None:
        response.last_modified = last_modified
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response


def _etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


@bp.get("/events/<int:event_id>.ics")
def event_download(event_id: int) -> Response:
    event = catalogue.public_event(db.session, event_id)
    body = calendar.event_download(event, current_site(), now=event.updated_at)
    return calendar_response(body, f"event-{event.id}.ics", last_modified=event.updated_at)


@dataclass(frozen=True)
class KeptFeed:
    """A built feed with what its answers need, kept until the database changes."""

    body: bytes
    etag: str
    last_modified: datetime | None
    # RFC 9110 §15.4.5: a 304 repeats the ETag and caching headers of the 200
    # (Werkzeug leaves out Last-Modified, which an ETag makes redundant there).
    not_modified_headers: list[tuple[str, str]]


def _feed(name: str, zone_name: str | None, filename: str, programme_id: int | None = None,
          series_id: int | None = None) -> Response:
    # DTSTAMP follows each event's last change, so unchanged feeds are
    # byte-identical and conditional GETs can answer 304. The built feed is
    # kept until the database changes, so a 304 costs no build at all.
    def build() -> KeptFeed:
        # The events are read a batch at a time as they are written; their
        # outline (a few columns) first gives the head and the stamp.
        now = utcnow()
        outline = catalogue.feed_outline(db.session, now, programme_id, series_id)
        zone = zone_name or (outline[0].timezone if outline else "UTC")
        stamp = max((line.updated_at for line in outline if line.updated_at is not None),
                    default=None)
        events = catalogue.feed_event_stream(db.session, now, programme_id, series_id)
        body = calendar.streamed_feed(
            [(line.timezone, line.starts_at, line.ends_at) for line in outline], events,
            current_site(), name, zone, now=stamp)
        etag = _etag(body)
        headers = _calendar_response(b"", filename, stamp or EPOCH, etag=etag).headers
        return KeptFeed(body, etag, stamp, [
            (key, value) for key, value in headers.items()
            if key in ("ETag", "Cache-Control")])

    kept = cached(("feed", request.path), build, size=lambda kept: len(kept.body),
                  stale_while_building=True, fresh_within=FEED_FRESH_WITHIN)
    if request.if_none_match.contains_weak(kept.etag):
        # Calendar clients poll: the usual answer is "unchanged", so it is made
        # from the kept headers without building a full response first.
        return Response(status=304, headers=kept.not_modified_headers)
    return calendar_response(kept.body, filename, last_modified=kept.last_modified or EPOCH,
                             etag=kept.etag)


@bp.get("/calendar.ics")
def all_events() -> Response:
    return _feed("Mingle: all events", None, "mingle.ics")


@bp.get("/programmes/<slug>/calendar.ics")
def programme_feed(slug: str) -> Response:
    programme = listings.public_programme(db.session, slug)
    return _feed(programme.name, programme.timezone, f"{programme.slug}.ics",
                 programme_id=programme.id)


@bp.get("/series/<int:series_id>/calendar.ics")
def series_feed(series_id: int) -> Response:
    series = listings.public_series(db.session, series_id)
    return _feed(f"{series.programme.name}: {series.title}", series.programme.timezone,
                 f"series-{series.id}.ics", series_id=series.id)
