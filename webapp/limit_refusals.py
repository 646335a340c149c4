"""What a person, or a client of the API, is told when a rate limit is met: why, and when
trying again will work; a form comes back as it was typed, so nothing is lost.

Each is a Flask-Limiter ``on_breach`` callback (``limiter.limit(..., on_breach=...)``):
the response it returns is the 429 sent (``webapp.errors`` passes it through).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import jsonify, make_response
from flask_limiter import RequestLimit
from werkzeug.wrappers import Response

from webapp.pipeline import PageWithProblem


def seconds_to_wait(limit: RequestLimit) -> int:
    """How long until the limit lets another request through (at least one second)."""
    return max(math.ceil(limit.reset_at - time.time()), 1)


def wait_in_words(seconds: int) -> str:
    """``seconds`` as a person says it: "in 40 seconds", "in 3 minutes"."""
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def _for_this_address(limit: RequestLimit) -> bool:
    # ``webapp.ratelimits.email_key`` counts per e-mail under keys "email:…".
    return any(str(part).startswith("email:") for part in limit.request_args)


def reason(limit: RequestLimit, what: str, on_a_form: bool = False) -> str:
    """Why ``what`` (e.g. "RSVPs") was refused, and when to try again, in words."""
    source = ("for this e-mail address" if _for_this_address(limit)
              else "from your network")
    again = wait_in_words(seconds_to_wait(limit))
    advice = (f"What you typed is still here: please send it again {again}." if on_a_form
              else f"Please try again {again}.")
    return f"Too many {what} have come {source} in a short time. {advice}"


def form_again(page: Callable[[], PageWithProblem], what: str
               ) -> Callable[[RequestLimit], Response]:
    """An ``on_breach`` that shows the form page again, as typed, with the reason (429).

    ``page()`` is called only on a breach, and returns the view's own
    page-with-a-problem, whose form reads what was posted.
    """
    def refuse(limit: RequestLimit) -> Response:
        response = make_response(page()(reason(limit, what, on_a_form=True)), 429)
        response.headers["Retry-After"] = str(seconds_to_wait(limit))
        return response

    return refuse


def json_refusal(what: str) -> Callable[[RequestLimit], Response]:
    """An ``on_breach`` for the JSON API: 429 with the reason and ``Retry-After``
    (RFC 9110 §10.2.3)."""
    def refuse(limit: RequestLimit) -> Response:
        seconds = seconds_to_wait(limit)
        response = jsonify({"error": reason(limit, what), "status": 429,
                            "retry_after": seconds})
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response

    return refuse
