"""The sign-up form of a book discussion. Field rules live in ``events``; the slots and
ranked threads are read as lists, since each discussion offers its own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from webapp.organise.forms import ZONES


class SignUpForm(FlaskForm):
    name = StringField("Your name")
    email = EmailField("Your e-mail")
    with_email = EmailField("Someone you would like to be in a group with (optional)")
    timezone = SelectField("Your time zone (optional)",
                           choices=[SelectChoice("", "The programme's")]
                           + [SelectChoice(zone) for zone in ZONES],
                           validate_choice=False)  # the domain checks the zone
    shares_first_name = BooleanField("Show my first name to the others in my group",
                                     default=True)
