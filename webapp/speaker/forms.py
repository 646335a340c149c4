"""Forms of a speaker's own pages. Each is a POST with a CSRF token; the rules on what
they may hold live in ``events.invitations``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from events import limits
from webapp.zones import ZONES

ANSWERS = [SelectChoice("accept", "Yes, I accept"), SelectChoice("decline", "No, I decline")]


def zone_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(zone) for zone in ZONES]


class AnswerForm(FlaskForm):
    # Checked by the view, which says what is missing in words.
    answer = RadioField("Your answer", choices=ANSWERS, validate_choice=False)
    display_name = StringField("Your name as it should appear",
                               render_kw={"maxlength": limits.PERSON_NAME_MAX})
    bio = TextAreaField("A short bio", render_kw={"maxlength": limits.BIO_MAX})
    listed_publicly = BooleanField("Show my name, bio and part on the public event page",
                                   default=True)
    recording_consent = BooleanField("I agree to the session being recorded")
    timezone = SelectField("Your time zone", choices=zone_choices("Not given"), default="")
    prompt_work = TextAreaField("What our work looks like",
                                render_kw={"maxlength": limits.PROMPT_MAX})
    prompt_challenges = TextAreaField("Key challenges", render_kw={"maxlength": limits.PROMPT_MAX})
    prompt_direction = TextAreaField("Where we're heading",
                                     render_kw={"maxlength": limits.PROMPT_MAX})
    note = TextAreaField("A note for the organisers (optional)",
                         render_kw={"maxlength": limits.ANSWER_NOTE_MAX})


class ZoneForm(FlaskForm):
    timezone = SelectField("Your time zone", choices=zone_choices("Not given"), default="")


class LostLinkForm(FlaskForm):
    email = EmailField("The e-mail address you were invited at")


class ActionForm(FlaskForm):
    """A button that changes something (replace my link): the CSRF token is all."""
