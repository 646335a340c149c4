"""Rate limits, read from configuration so operators (and benchmarks) can tune them.

Each guarded form counts twice: per client address (a whole room behind one
library's address must still fit) and per e-mail address typed in (so one
address cannot be flooded with mail from many hosts), the address in its one
form (``events.people.email_key``). Flask-Limiter keeps the counts where
``RATELIMIT_STORAGE_URI`` says: in memory (each process on its own: fine for
one worker) or in Redis, which production requires with more than one worker
(``webapp.config.shared_limits_problem``). Wrong passwords are counted per
account in the database instead (``events.login_guard``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, request
from flask_limiter.util import get_remote_address

from events.limits import EMAIL_MAX
from events.people import email_key as normal_email
from webapp.browser_cookie import browser_key
from webapp.config import IDEA_LIMITS, RATE_LIMITS

View = TypeVar("View", bound=Callable[..., Any])

DEFAULTS = {**RATE_LIMITS, **IDEA_LIMITS}


def _setting(name: str) -> str:
    return str(current_app.config.get(name) or DEFAULTS[name])


def rsvp_limits() -> str:
    """Per-address limit on RSVPs: a whole room behind one library's address fits."""
    return _setting("RATELIMIT_RSVP")


def rsvp_email_limits() -> str:
    """Per-e-mail limit on RSVPs, across events."""
    return _setting("RATELIMIT_RSVP_EMAIL")


def lost_link_limits() -> str:
    """Per-address limit on "lost your link?" requests."""
    return _setting("RATELIMIT_LOST_LINK")


def lost_link_email_limits() -> str:
    """Per-e-mail limit on "lost your link?" requests."""
    return _setting("RATELIMIT_LOST_LINK_EMAIL")


def email_key() -> str:
    """The e-mail address in the form or JSON body, normalised; else the client address."""
    raw: object = request.form.get("email")
    if raw is None and request.is_json:
        body = request.get_json(silent=True)
        raw = body.get("email") if isinstance(body, dict) else None
    if isinstance(raw, str) and raw.strip():
        return "email:" + normal_email(raw[:EMAIL_MAX * 4])[:EMAIL_MAX]
    return "address:" + get_remote_address()


def limited(*limits: Callable[[View], View]) -> Callable[[View], View]:
    """Put Flask-Limiter's ``limits`` (``limiter.limit(...)`` decorators, outermost
    first) on a view, and leave them out of the call while limits are switched off.

    Switched off (``RATELIMIT_ENABLED=0``), Flask-Limiter still looks up and
    walks its limits on every call of a decorated view, which costs a busy
    RSVP more than its own validation does.
    """
    def decorate(view: View) -> View:
        guarded = view
        for limit in reversed(limits):
            guarded = limit(guarded)

        @wraps(view)
        def choose(*args: Any, **kwargs: Any) -> Any:
            if current_app.config.get("RATELIMIT_ENABLED", True):
                return guarded(*args, **kwargs)
            return view(*args, **kwargs)

        return choose  # type: ignore[return-value]

    return decorate


def proposal_limits() -> str:
    """Per-address limit on proposing ideas."""
    return _setting("RATELIMIT_PROPOSALS")


def proposal_person_limits() -> str:
    """Per-person limit on proposing ideas."""
    return _setting("RATELIMIT_PROPOSALS_PERSON")


def vote_limits() -> str:
    """Per-address limit on votes and offers of help (a room of staff fits)."""
    return _setting("RATELIMIT_VOTES")


def vote_person_limits() -> str:
    """Per-person limit on votes and offers of help."""
    return _setting("RATELIMIT_VOTES_PERSON")


def comment_limits() -> str:
    """Per-address limit on comments."""
    return _setting("RATELIMIT_COMMENTS")


def comment_person_limits() -> str:
    """Per-person limit on comments."""
    return _setting("RATELIMIT_COMMENTS_PERSON")


def person_key() -> str:
    """The confirmed browser acting (its cookie), else the e-mail typed in, else the address:
    a person's actions on the ideas board count together whichever way they come."""
    return browser_key() or email_key()
