"""Rate limits, read from configuration so operators (and benchmarks) can tune them."""

from __future__ import annotations

from flask import current_app


def rsvp_limits() -> str:
    """Per-address limit on RSVPs: a whole room behind one library's address fits."""
    return str(current_app.config.get("RATELIMIT_RSVP", "60 per minute"))
