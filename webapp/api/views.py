"""The JSON API of the URL contract (``/api/v1``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.wrappers import Response

from events import booking, catalogue
from events.discussions import signing_up
from events.errors import InvalidInput
from events.models import Event, utcnow
from webapp.caching import cached
from webapp.errors import error_response
from webapp.extensions import db, limiter
from webapp.limit_refusals import json_refusal
from webapp.pipeline import act
from webapp.ratelimits import email_key, limited, rsvp_email_limits, rsvp_limits
from webapp.site import current_site

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def event_json(event: Event) -> dict[str, Any]:
    """The public fields of an event; never the meeting link."""
    now = utcnow()
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind.value,
        "starts_at": event.local_start.isoformat(),
        "ends_at": event.local_end.isoformat(),
        "timezone": event.timezone,
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "waitlist_count": event.waitlist_length,
        "status": event.status.value,
        "url": current_site().links.event_page(event.id),
        # Asked of the model, as the event page does: whether anyone may still RSVP,
        # what an RSVP would get, and if nobody may, why not.
        "registration_open": event.takes_registrations(now, True, True),
        "offers": ("seat" if event.offers_seat(now, True, True)
                   else "waitlist" if event.offers_waitlist(now, True, True) else None),
        "closed_reason": event.closed_reason(now, True, True),
    }


@bp.get("/events")
def list_events() -> Response:
    def render() -> bytes:
        events = catalogue.upcoming_events(db.session)
        return jsonify(events=[event_json(event) for event in events]).data

    return _json_body(cached(("api", "events"), render))


@bp.get("/events/<int:event_id>")
def show_event(event_id: int) -> Response:
    def render() -> bytes:
        event = catalogue.public_event(db.session, event_id)
        return jsonify(event_json(event)).data

    return _json_body(cached(("api", "event", event_id), render))


def _json_body(body: bytes) -> Response:
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


RSVPS_REFUSED = json_refusal("RSVPs")


@bp.post("/events/<int:event_id>/registrations")
@limited(limiter.limit(rsvp_limits, on_breach=RSVPS_REFUSED),
         limiter.limit(rsvp_email_limits, key_func=email_key, on_breach=RSVPS_REFUSED))
def register(event_id: int) -> tuple[Response | str, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, 'Send a JSON object such as {"name": "…", "email": "…"} '
                                   "with Content-Type: application/json.")
    for field in ("name", "email"):
        if field not in body:
            raise InvalidInput(f"'{field}' is required.", field=field)
        if not isinstance(body[field], str):
            raise InvalidInput(f"'{field}' must be a string.", field=field)
    result = act(lambda: booking.register(db.session, event_id, body["name"], body["email"]))
    payload = {
        "id": result.registration_id,
        "event_id": result.event_id,
        "status": result.status.value,
        "waitlist_position": result.position,
        "created": result.created,
        "event": current_site().links.event_page(event_id),
    }
    return jsonify(payload), 201 if result.created else 200


@bp.post("/discussions/<int:discussion_id>/sign-ups")
@limited(limiter.limit(rsvp_limits, on_breach=RSVPS_REFUSED),
         limiter.limit(rsvp_email_limits, key_func=email_key, on_breach=RSVPS_REFUSED))
def sign_up_for_discussion(discussion_id: int) -> tuple[Response | str, int]:
    """JSON ``{"name", "email", "slots": [ids], "threads": [ids], "with": e-mail}``: one place
    at the kick-off (or its waitlist) and the wishes for a group."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, 'Send a JSON object such as {"name": "…", "email": "…", '
                                   '"slots": [1]} with Content-Type: application/json.')
    for field in ("name", "email"):
        if not isinstance(body.get(field), str):
            raise InvalidInput(f"'{field}' is required, as a string.", field=field)
    for field in ("slots", "threads"):
        if not isinstance(body.get(field, []), list):
            raise InvalidInput(f"'{field}' must be a list of ids.", field=field)
    wishes = signing_up.Wishes(body.get("slots", []), body.get("threads", []),
                               body.get("with", ""), bool(body.get("share_first_name", True)),
                               body.get("timezone", ""))
    result = act(lambda: signing_up.sign_up(db.session, discussion_id, body["name"],
                                            body["email"], wishes))
    payload = {
        "id": result.sign_up.id,
        "discussion_id": discussion_id,
        "status": result.status.value,
        "waitlist_position": result.position,
        "created": result.created,
        "discussion": current_site().links.discussion_page(discussion_id),
    }
    return jsonify(payload), 201 if result.created else 200
