"""The RSVP form. Field rules live in ``events.people`` so the API agrees."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField


class RsvpForm(FlaskForm):
    name = StringField("Your name")
    email = EmailField("Your e-mail")
