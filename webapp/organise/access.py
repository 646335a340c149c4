"""The workspace blueprint, its login guard, and loading things an organiser may manage.

Every page first loads what it acts on and checks the organiser may manage
its programme; anything else answers 404 exactly as a missing thing does.
"""

from __future__ import annotations

from flask import Blueprint, g
from werkzeug.wrappers import Response

from events.accounts import Account, require_programme
from events.errors import NotFound
from events.models import Event, Programme, Series
from webapp.auth.login import current_account, login_redirect
from webapp.extensions import db

bp = Blueprint("organise", __name__, url_prefix="/organise")


@bp.before_request
def _require_login() -> Response | None:
    account = current_account()
    if account is None:
        return login_redirect()
    g.organiser = account
    return None


def organiser() -> Account:
    return g.organiser  # type: ignore[no-any-return]


def load_programme(programme_id: int) -> Programme:
    return require_programme(db.session, organiser(), programme_id)


def load_series(series_id: int) -> Series:
    series = db.session.get(Series, series_id)
    if series is None:
        raise NotFound("There is no such series in your workspace.")
    load_programme(series.programme_id)
    return series


def load_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound("There is no such event in your workspace.")
    load_programme(event.programme_id)
    return event
