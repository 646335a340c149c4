"""The board's forms. Shapes only: what is acceptable is decided in ``events``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from events.help_offers import HelpRole


class WhoForm(FlaskForm):
    """Name and e-mail, asked of a browser that has not confirmed an address yet."""

    name = StringField("Your name")
    email = EmailField("Your e-mail")


class ProposeForm(WhoForm):
    kind = HiddenField()
    challenge_id = SelectField("The challenge it answers", coerce=int, default=0,
                               validate_choice=False)
    title = StringField("Title")
    body = TextAreaField("Say more (optional; Markdown)")
    show_full_name = BooleanField("Show my full name on the board (otherwise only my first name)")
    # Set once similar ideas have been shown: post it anyway.
    anyway = HiddenField()


class TakePartForm(WhoForm):
    """A vote, an offer of help or a comment (with the person, until their browser is confirmed)."""

    role = SelectField("I could", default=HelpRole.facilitate.value,
                       choices=[SelectChoice(role.value, role.label) for role in HelpRole])
    body = TextAreaField("Your comment (Markdown)")
    # Where to go back to: the board or the idea's page.
    back = HiddenField()


class ButtonForm(FlaskForm):
    """A button: only the CSRF token to check."""
