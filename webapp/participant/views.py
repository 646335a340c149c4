"""A participant's own links: the personal join link."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from werkzeug.wrappers import Response

from events import access
from events.errors import NotOpen
from webapp.extensions import db
from webapp.site import current_site

bp = Blueprint("participant", __name__)


@bp.get("/join/<token>")
def join(token: str) -> Response | tuple[str, int]:
    registration = access.registration_for_join_token(db.session, current_site(), token)
    try:
        room = access.meeting_room_for(registration)
    except NotOpen as error:
        return render_template("participant/join_refused.html", event=registration.event,
                               message=error.message), 403
    response = redirect(room, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
