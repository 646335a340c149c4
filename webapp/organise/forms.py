"""The organisers' forms. Shapes are checked here; the rules live in ``events``."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from events.announcements import AUDIENCE_LABELS
from events.models import KIND_LABELS, RoleKind

ZONES = sorted(available_timezones() | {"UTC"})


def _required(message: str) -> DataRequired:
    return DataRequired(message)


def _http_only(form: FlaskForm, field: Field) -> None:
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError("The meeting link must be an http:// or https:// address.")


class ProgrammeForm(FlaskForm):
    name = StringField("Name", validators=[_required("Please enter the name."), Length(max=200)])
    slug = StringField("Short name for links", validators=[
        _required("Please enter a short name."), Length(max=80),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
               message="Use lower-case letters, digits and single hyphens.")])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    timezone = SelectField("Home time zone", choices=[SelectChoice(zone) for zone in ZONES],
                           default="Pacific/Auckland")
    after_hours_start = TimeField("After-hours window on weekdays: from",
                                  validators=[InputRequired("Enter a time, e.g. 17:30.")])
    after_hours_end = TimeField("to", validators=[InputRequired("Enter a time, e.g. 21:30.")])
    weekends_open = BooleanField("Any time at weekends is after hours", default=True)
    sender_name = StringField("Sender name for e-mails", validators=[Length(max=200)])
    reminder_offsets = StringField("Reminders, in minutes before the start",
                                   default="1440, 60", validators=[Length(max=200)])


class SeriesForm(FlaskForm):
    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=200)])
    theme = StringField("Theme", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=20000)])
    target_attendance = IntegerField("Target attendance per event", validators=[
        Optional(), NumberRange(1, 1000, "Enter a whole number from 1 to 1000.")])


class EventForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(kind.value, label)
                                          for kind, label in KIND_LABELS.items()])
    series_id = SelectField("Series", coerce=int, default=0)
    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=200)])
    starts_at = DateTimeLocalField(
        "Starts", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired("Enter the date and time it starts.")])
    duration_minutes = IntegerField("Duration in minutes", validators=[
        Optional(), NumberRange(5, 600, "Enter a whole number from 5 to 600.")])
    capacity = IntegerField("Capacity", default=200, validators=[
        InputRequired("Enter how many seats there are."),
        NumberRange(1, 1000, "Enter a whole number from 1 to 1000.")])
    waitlist_enabled = BooleanField("Keep a waitlist when it is full", default=True)
    meeting_url = URLField("Meeting link", validators=[Optional(), Length(max=500), _http_only])
    description = TextAreaField("Description (Markdown)", validators=[Length(max=20000)])
    target_attendance = IntegerField("Target attendance", validators=[
        Optional(), NumberRange(1, 1000, "Enter a whole number from 1 to 1000.")])
    unit_name = StringField("Unit", validators=[Length(max=200)])
    prompt_work = TextAreaField("What the work looks like", validators=[Length(max=5000)])
    prompt_challenges = TextAreaField("Key challenges", validators=[Length(max=5000)])
    prompt_direction = TextAreaField("Where it is heading", validators=[Length(max=5000)])
    book_title = StringField("Book", validators=[Length(max=300)])


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason participants will read", validators=[Length(max=2000)])


class RoleForm(FlaskForm):
    kind = SelectField("Part", choices=[SelectChoice(kind.value, kind.value.capitalize())
                                        for kind in RoleKind])
    name = StringField("Name", validators=[_required("Please enter the name."),
                                           Length(max=200)])
    email = EmailField("E-mail", validators=[_required("Please enter the e-mail address."),
                                             Length(max=320)])


class InviteForm(FlaskForm):
    email = EmailField("Co-organiser's e-mail", validators=[
        _required("Please enter the e-mail address."), Length(max=320)])


class AttendanceImportForm(FlaskForm):
    file = FileField("Participant report (CSV)", validators=[
        FileRequired("Choose the CSV file of the meeting's participant report.")])


class AnnouncementForm(FlaskForm):
    audience = SelectField("To", choices=[SelectChoice(value, label)
                                          for value, label in AUDIENCE_LABELS.items()])
    subject = StringField("Subject", validators=[_required("Please enter a subject."),
                                                 Length(max=200)])
    body = TextAreaField("Message", validators=[_required("Please write the message."),
                                                Length(max=10000)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""
