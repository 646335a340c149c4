"""Calendar downloads and subscribable feeds, with conditional GET."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Blueprint, Response, request

from events import calendar, catalogue
from events.errors import NotFound
from events.models import Event, Series
from webapp.extensions import db
from webapp.site import current_site

bp = Blueprint("feeds", __name__)


def calendar_response(body: bytes, filename: str, last_modified: datetime | None) -> Response:
    """Serve iCalendar bytes with a strong ETag, answering 304 when unchanged."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response.make_conditional(request)


def _last_modified(events: list[Event]) -> datetime | None:
    return max((event.updated_at for event in events), default=None)


@bp.get("/events/<int:event_id>.ics")
def event_download(event_id: int) -> Response:
    event = catalogue.public_event(db.session, event_id)
    body = calendar.event_download(event, current_site(), now=event.updated_at)
    return calendar_response(body, f"event-{event.id}.ics", event.updated_at)


def _feed(events: list[Event], name: str, zone_name: str, filename: str) -> Response:
    # DTSTAMP follows each event's last change, so unchanged feeds are
    # byte-identical and conditional GETs can answer 304.
    stamp = _last_modified(events)
    body = calendar.feed(events, current_site(), name, zone_name, now=stamp)
    return calendar_response(body, filename, stamp)


@bp.get("/calendar.ics")
def all_events() -> Response:
    events = catalogue.feed_events(db.session)
    zone = events[0].timezone if events else "UTC"
    return _feed(events, "Mingle: all events", zone, "mingle.ics")


@bp.get("/programmes/<slug>/calendar.ics")
def programme_feed(slug: str) -> Response:
    programme = catalogue.programme_by_slug(db.session, slug)
    events = catalogue.feed_events(db.session, programme_id=programme.id)
    return _feed(events, programme.name, programme.timezone, f"{programme.slug}.ics")


@bp.get("/series/<int:series_id>/calendar.ics")
def series_feed(series_id: int) -> Response:
    series = db.session.get(Series, series_id)
    if series is None:
        raise NotFound("There is no such series.")
    events = catalogue.feed_events(db.session, series_id=series.id)
    return _feed(events, f"{series.programme.name}: {series.title}",
                 series.programme.timezone, f"series-{series.id}.ics")
