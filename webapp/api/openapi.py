"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written out by hand beside the views it describes, so that it reads as the
contract it is. Two tests keep it true: every ``/api/v1`` route of the app
appears in it (``tests/test_openapi.py``), and a property-based client drives
the running server through every operation and fails on any answer that
breaks it.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from events import limits
from events.models import EventKind, EventStatus, RegistrationStatus
from webapp.api.views import bp

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {JSON: {"schema": _ref("Error")}}}
    if retry_after:
        response["headers"] = {"Retry-After": {
            "description": "Seconds after which trying again should work.",
            "schema": {"type": "string"}}}
    return response


# Every refusal of ``webapp.errors``: the same JSON body, with the status as its kind.
ERRORS = {
    "400": _error("The body is not a JSON object of the documented shape."),
    "404": _error("No such published item."),
    "409": _error("Not open now: full with a closed waitlist, started, or closed."),
    "413": _error("The body is larger than the server accepts."),
    "415": _error("The body is not JSON."),
    "422": _error("A field is invalid; `field` names it."),
    "429": _error("Too many requests from this address or for this e-mail address.",
                  retry_after=True),
    "503": _error("Busy: try again in a moment.", retry_after=True),
}
READ_ERRORS = {code: ERRORS[code] for code in ("404", "503")}

_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": _ID}


def _post(summary: str, description: str, body: str, created: str, path_id: dict[str, Any]
          ) -> dict[str, Any]:
    return {"post": {
        "summary": summary,
        "description": description,
        "parameters": [path_id],
        "requestBody": {"required": True, "content": {JSON: {"schema": _ref(body)}}},
        "responses": {
            "201": {"description": "A new place (or waitlist place).",
                    "content": {JSON: {"schema": _ref(created)}}},
            "200": {"description": "The existing place of this e-mail address (a repeat).",
                    "content": {JSON: {"schema": _ref(created)}}},
            **ERRORS,
        },
    }}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "A reason a person can read."},
            "status": {"type": "integer"},
            "field": {"type": "string", "description": "The field at fault, if one is."},
        },
    },
    "Event": {
        "type": "object",
        "required": ["id", "title", "kind", "starts_at", "ends_at", "timezone", "capacity",
                     "seats_left", "waitlist_count", "status", "url"],
        "properties": {
            "id": _ID,
            "title": {"type": "string"},
            "kind": {"enum": [kind.value for kind in EventKind]},
            "starts_at": {"type": "string", "format": "date-time",
                          "description": "ISO 8601 with the offset of the event's zone."},
            "ends_at": {"type": "string", "format": "date-time"},
            "timezone": {"type": "string", "description": "IANA zone, e.g. Pacific/Auckland."},
            "capacity": {"type": "integer", "minimum": 0},
            "seats_left": {"type": "integer", "minimum": 0},
            "waitlist_count": {"type": "integer", "minimum": 0},
            "status": {"enum": [status.value for status in EventStatus]},
            "url": {"type": "string", "format": "uri", "description": "The event's page."},
        },
    },
    "EventList": {
        "type": "object",
        "required": ["events"],
        "properties": {"events": {"type": "array", "items": _ref("Event")}},
    },
    "NewRegistration": {
        "type": "object",
        "required": ["name", "email"],
        "properties": {
            "name": {"type": "string", "maxLength": limits.PERSON_NAME_MAX},
            "email": {"type": "string", "format": "email", "maxLength": limits.EMAIL_MAX},
        },
    },
    "Registration": {
        "type": "object",
        "required": ["id", "event_id", "status", "waitlist_position", "created", "event"],
        "properties": {
            "id": _ID,
            "event_id": _ID,
            "status": {"enum": [status.value for status in RegistrationStatus]},
            "waitlist_position": {"type": ["integer", "null"], "minimum": 1,
                                  "description": "1-based place in the queue, while waiting."},
            "created": {"type": "boolean"},
            "event": {"type": "string", "format": "uri"},
        },
    },
    "NewDiscussionSignUp": {
        "type": "object",
        "required": ["name", "email"],
        "properties": {
            "name": {"type": "string", "maxLength": limits.PERSON_NAME_MAX},
            "email": {"type": "string", "format": "email", "maxLength": limits.EMAIL_MAX},
            "slots": {"type": "array", "items": _ID,
                      "description": "Ids of the meeting times the person can make."},
            "threads": {"type": "array", "items": _ID,
                        "description": "Ids of the threads of the book they would like."},
            "with": {"type": "string",
                     "description": "The e-mail address of someone to be grouped with."},
            "share_first_name": {"type": "boolean", "default": True},
            "timezone": {"type": "string", "description": "The person's IANA zone."},
        },
    },
    "DiscussionSignUp": {
        "type": "object",
        "required": ["id", "discussion_id", "status", "waitlist_position", "created",
                     "discussion"],
        "properties": {
            "id": _ID,
            "discussion_id": _ID,
            "status": {"enum": [status.value for status in RegistrationStatus]},
            "waitlist_position": {"type": ["integer", "null"], "minimum": 1},
            "created": {"type": "boolean"},
            "discussion": {"type": "string", "format": "uri"},
        },
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/events": {"get": {
        "summary": "Upcoming published events",
        "responses": {"200": {"description": "Soonest first.",
                              "content": {JSON: {"schema": _ref("EventList")}}},
                      "503": READ_ERRORS["503"]},
    }},
    "/api/v1/events/{event_id}": {"get": {
        "summary": "One published event",
        "parameters": [_path_id("event_id", "The event's id.")],
        "responses": {"200": {"description": "The event.",
                              "content": {JSON: {"schema": _ref("Event")}}},
                      **READ_ERRORS},
    }},
    "/api/v1/events/{event_id}/registrations": _post(
        "RSVP to an event",
        "A seat while any is free, else a place on the waitlist. Repeating it with the "
        "same e-mail address answers the existing place.",
        "NewRegistration", "Registration", _path_id("event_id", "The event's id.")),
    "/api/v1/discussions/{discussion_id}/sign-ups": _post(
        "Sign up for a book discussion",
        "A place at the kick-off (or on its waitlist) and the person's wishes for a group.",
        "NewDiscussionSignUp", "DiscussionSignUp",
        _path_id("discussion_id", "The book discussion's id.")),
    "/api/v1/openapi.json": {"get": {
        "summary": "This description",
        "responses": {"200": {"description": "OpenAPI 3.1.",
                              "content": {JSON: {"schema": {"type": "object"}}}}},
    }},
}


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mingle",
            "version": "1",
            "description": "Upcoming events of Mingle's programmes, and RSVPs to them. "
                           "Errors share one body: `{\"error\", \"status\", \"field\"?}`.",
        },
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
