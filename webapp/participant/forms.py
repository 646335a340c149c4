"""Forms of a participant's own pages. Each is a POST with a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField


class LostLinkForm(FlaskForm):
    email = EmailField("Your e-mail")


class PlaceForm(FlaskForm):
    """Cancel, leave the waitlist, take a place again, or revoke: the CSRF token is all."""
