"""The organisers' feedback forms: a series' settings and outcomes. Shapes only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange

from events import limits

DELAY = limits.FEEDBACK_DELAY


class SeriesFeedbackForm(FlaskForm):
    automatic = BooleanField("Ask by e-mail after each event, and follow up six weeks after "
                             "the last one", default=True)
    named = BooleanField("Named form: show each person's name beside their answers")
    delay_minutes = IntegerField(
        "Send the request this many minutes after an event ends",
        default=limits.DEFAULT_FEEDBACK_DELAY,
        validators=[InputRequired("Enter a number of minutes, 0 for straight away."),
                    NumberRange(DELAY.low, DELAY.high, f"Enter {DELAY.hint}.")])
    remind_at = TimeField("Remind those who have not answered the next evening at",
                          default=limits.DEFAULT_FEEDBACK_REMINDER_AT,
                          validators=[InputRequired("Enter a time, e.g. 19:00.")])
    outcome_1 = StringField("Outcome 1", validators=[Length(max=limits.OUTCOME_MAX)])
    outcome_2 = StringField("Outcome 2", validators=[Length(max=limits.OUTCOME_MAX)])
    outcome_3 = StringField("Outcome 3", validators=[Length(max=limits.OUTCOME_MAX)])

    OUTCOMES = ("outcome_1", "outcome_2", "outcome_3")
