"""The organisers' forms for book discussions. Shapes only; the rules live in
``events.discussions``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from events import limits
from events.discussions.forming import SIDES


def _within(bounds: limits.Bounds) -> NumberRange:
    return NumberRange(bounds.low, bounds.high, f"Enter {bounds.hint}.")


class DiscussionForm(FlaskForm):
    book_title = StringField("Book", validators=[DataRequired("Please enter the book's title."),
                                                 Length(max=limits.BOOK_TITLE_MAX)])
    book_author = StringField("Author", validators=[Length(max=limits.BOOK_AUTHOR_MAX)])
    book_isbn = StringField("ISBN (optional)", validators=[Length(max=limits.ISBN_MAX)])
    book_url = URLField("Link to the book (optional)",
                        validators=[Optional(), Length(max=limits.MEETING_URL_MAX)])
    description = TextAreaField("About the discussion (Markdown)",
                                validators=[Length(max=limits.DESCRIPTION_MAX)])
    kickoff_starts_at = DateTimeLocalField(
        "Kick-off starts", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired("Enter the date and time the kick-off starts.")])
    kickoff_meeting_url = URLField("Kick-off meeting link", validators=[
        Optional(), Length(max=limits.MEETING_URL_MAX)])
    places = IntegerField("Places in the discussion", default=limits.DEFAULT_CAPACITY,
                          validators=[InputRequired("Enter how many people it takes."),
                                      _within(limits.CAPACITY)])
    first_week_on = DateField("Week 1 begins on",
                              validators=[InputRequired("Enter the day week 1 begins.")])
    weeks = IntegerField("Weeks", default=limits.DEFAULT_DISCUSSION_WEEKS,
                         validators=[InputRequired("Enter the number of weeks."),
                                     _within(limits.DISCUSSION_WEEKS)])
    meeting_minutes = IntegerField("Length of a meeting in minutes",
                                   default=limits.DEFAULT_DURATION["group_meeting"],
                                   validators=[InputRequired("Enter the length of a meeting."),
                                               _within(limits.DURATION)])
    min_group_size = IntegerField("Smallest group", default=limits.MIN_GROUP_SIZE,
                                  validators=[InputRequired("Enter the smallest size."),
                                              _within(limits.GROUP_SIZE)])
    max_group_size = IntegerField("Largest group", default=limits.MAX_GROUP_SIZE,
                                  validators=[InputRequired("Enter the largest size."),
                                              _within(limits.GROUP_SIZE)])
    threads = TextAreaField("Threads, one a line")
    slots = TextAreaField("Meeting times, one a line (in the programme's zone)")
    reading_plan = TextAreaField("Reading plan, one week a line: reading | question")


class GroupForm(FlaskForm):
    thread_id = SelectField("Thread", coerce=int)
    slot_id = SelectField("Meets", coerce=int)
    facilitator_name = StringField("Facilitator's name",
                                   validators=[Length(max=limits.PERSON_NAME_MAX)])
    facilitator_email = EmailField("Facilitator's e-mail",
                                   validators=[Length(max=limits.EMAIL_MAX)])
    meeting_url = URLField("Meeting room", validators=[Optional(),
                                                        Length(max=limits.MEETING_URL_MAX)])
    min_size = IntegerField("Smallest size", validators=[Optional(), _within(limits.GROUP_SIZE)])
    max_size = IntegerField("Largest size", validators=[Optional(), _within(limits.GROUP_SIZE)])


class FormingForm(FlaskForm):
    facilitator_seats = IntegerField("Facilitators who may fill a seat", default=0,
                                     validators=[InputRequired("Enter 0 or more."),
                                                 NumberRange(0, 1000, "Enter 0 or more.")])
    size_exception_sides = SelectField(
        "One group may be outside the sizes", choices=[
            SelectChoice(value, label) for value, label in zip(
                SIDES, ("No", "One smaller", "One larger", "One smaller or larger"),
                strict=True)])
    reason = StringField("Why (kept with the groups)",
                         validators=[Length(max=limits.CANCEL_REASON_MAX)])


class MessageForm(FlaskForm):
    group_id = SelectField("To", coerce=int)
    subject = StringField("Subject", validators=[DataRequired("Please enter a subject."),
                                                 Length(max=limits.SUBJECT_MAX)])
    body = TextAreaField("Message", validators=[DataRequired("Please write the message."),
                                                Length(max=limits.MESSAGE_MAX)])


class PlacesForm(FlaskForm):
    places = IntegerField("Places", validators=[InputRequired("Enter the number of places."),
                                                _within(limits.CAPACITY)])
