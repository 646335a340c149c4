"""The organisers' forms. Shapes are checked here; the rules live in ``events``."""

from __future__ import annotations

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

from events import limits
from events.announcements import AUDIENCE_LABELS
from events.models import KIND_LABELS, RoleKind
from events.planning import SLUG, reminder_offsets_text
from events.resources import ResourceAudience, ResourceKind, ResourceTiming
from webapp.zones import ZONES


def _required(message: str) -> DataRequired:
    return DataRequired(message)


def _within(bounds: limits.Bounds) -> NumberRange:
    return NumberRange(bounds.low, bounds.high, f"Enter {bounds.hint}.")


def _http_only(form: FlaskForm, field: Field) -> None:
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError("The meeting link must be an http:// or https:// address.")


class ProgrammeForm(FlaskForm):
    name = StringField("Name", validators=[_required("Please enter the name."),
                                           Length(max=limits.PROGRAMME_NAME_MAX)])
    slug = StringField("Short name for links", validators=[
        _required("Please enter a short name."), Length(max=limits.SLUG_MAX),
        Regexp(SLUG.pattern, message="Use lower-case letters, digits and single hyphens.")])
    description = TextAreaField("Description", validators=[Length(max=limits.DESCRIPTION_MAX)])
    timezone = SelectField("Home time zone", choices=[SelectChoice(zone) for zone in ZONES],
                           default=limits.DEFAULT_TIMEZONE)
    after_hours_start = TimeField("After-hours window on weekdays: from",
                                  default=limits.DEFAULT_AFTER_HOURS_START,
                                  validators=[InputRequired("Enter a time, e.g. 17:30.")])
    after_hours_end = TimeField("to", default=limits.DEFAULT_AFTER_HOURS_END,
                                validators=[InputRequired("Enter a time, e.g. 21:30.")])
    weekends_open = BooleanField("Any time at weekends is after hours",
                                 default=limits.DEFAULT_WEEKENDS_OPEN)
    sender_name = StringField("Sender name for e-mails",
                              validators=[Length(max=limits.SENDER_NAME_MAX)])
    contact_email = StringField("Contact address",
                                validators=[Length(max=limits.EMAIL_MAX)])
    reminder_offsets = StringField(
        "Reminders, in minutes before the start",
        default=reminder_offsets_text(limits.DEFAULT_REMINDER_OFFSETS),
        validators=[Length(max=limits.REMINDER_OFFSETS_TEXT_MAX)])
    platform_participant_limit = IntegerField(
        "Participant limit of your meeting platform",
        validators=[Optional(), _within(limits.PLATFORM_LIMIT)])


class SeriesForm(FlaskForm):
    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=limits.TITLE_MAX)])
    theme = StringField("Theme", validators=[Length(max=limits.THEME_MAX)])
    description = TextAreaField("Description", validators=[Length(max=limits.DESCRIPTION_MAX)])
    target_attendance = IntegerField("Target attendance per event", validators=[
        Optional(), _within(limits.TARGET_ATTENDANCE)])


class EventForm(FlaskForm):
    kind = SelectField("Kind", choices=[SelectChoice(kind.value, label)
                                          for kind, label in KIND_LABELS.items()])
    series_id = SelectField("Series", coerce=int, default=0)
    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=limits.TITLE_MAX)])
    starts_at = DateTimeLocalField(
        "Starts", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired("Enter the date and time it starts.")])
    duration_minutes = IntegerField("Duration in minutes", validators=[
        Optional(), _within(limits.DURATION)])
    capacity = IntegerField("Capacity", default=limits.DEFAULT_CAPACITY, validators=[
        InputRequired("Enter how many seats there are."), _within(limits.CAPACITY)])
    waitlist_enabled = BooleanField("Keep a waitlist when it is full", default=True)
    meeting_url = URLField("Meeting link", validators=[
        Optional(), Length(max=limits.MEETING_URL_MAX), _http_only])
    description = TextAreaField("Description (Markdown)",
                                validators=[Length(max=limits.DESCRIPTION_MAX)])
    target_attendance = IntegerField("Target attendance", validators=[
        Optional(), _within(limits.TARGET_ATTENDANCE)])
    unit_name = StringField("Unit", validators=[Length(max=limits.UNIT_NAME_MAX)])
    prompt_work = TextAreaField("What the work looks like",
                                validators=[Length(max=limits.PROMPT_MAX)])
    prompt_challenges = TextAreaField("Key challenges",
                                      validators=[Length(max=limits.PROMPT_MAX)])
    prompt_direction = TextAreaField("Where it is heading",
                                     validators=[Length(max=limits.PROMPT_MAX)])
    book_title = StringField("Book", validators=[Length(max=limits.BOOK_TITLE_MAX)])
    recorded = BooleanField("The event is recorded (speakers are asked to consent)")
    # Its people, on the form that creates it (``planning.PEOPLE_OF_KIND``).
    guest_name = StringField("Guest's name", validators=[Length(max=limits.PERSON_NAME_MAX)])
    guest_email = EmailField("Guest's e-mail", validators=[Length(max=limits.EMAIL_MAX)])
    presenter_name = StringField("Presenter's name",
                                 validators=[Length(max=limits.PERSON_NAME_MAX)])
    presenter_email = EmailField("Presenter's e-mail", validators=[Length(max=limits.EMAIL_MAX)])
    facilitator_name = StringField("Facilitator's name",
                                   validators=[Length(max=limits.PERSON_NAME_MAX)])
    facilitator_email = EmailField("Facilitator's e-mail",
                                   validators=[Length(max=limits.EMAIL_MAX)])
    send_invitations = BooleanField("Send their invitations when I save", default=True)


class DuplicateForm(FlaskForm):
    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=limits.TITLE_MAX)])
    starts_at = DateTimeLocalField(
        "Starts", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired("Enter the date and time it starts.")])


class RepeatForm(FlaskForm):
    weeks = IntegerField("Weeks", validators=[
        InputRequired("Enter how many weeks."), _within(limits.REPEAT_WEEKS)])


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason participants will read",
                           validators=[Length(max=limits.CANCEL_REASON_MAX)])


class InvitationForm(FlaskForm):
    kind = SelectField("Part", choices=[SelectChoice(kind.value, kind.value.capitalize())
                                        for kind in RoleKind])
    name = StringField("Name", validators=[_required("Please enter the name."),
                                           Length(max=limits.PERSON_NAME_MAX)])
    email = EmailField("E-mail", validators=[_required("Please enter the e-mail address."),
                                             Length(max=limits.EMAIL_MAX)])
    timezone = SelectField("Their time zone, if you know it",
                           choices=[SelectChoice("", "Not known")]
                           + [SelectChoice(zone) for zone in ZONES], default="")
    message = TextAreaField("A personal message for the invitation",
                            validators=[Length(max=limits.INVITATION_MESSAGE_MAX)])
    already_accepted = BooleanField("They have already said yes: record it on their behalf")


class BriefingForm(FlaskForm):
    # Checked by the domain (only when writing a new one: a briefing keeps its scope).
    scope = SelectField("For", validate_choice=False)
    body = TextAreaField("Briefing (Markdown)", validators=[
        _required("Please write the briefing."), Length(max=limits.BRIEFING_MAX)])


class InviteForm(FlaskForm):
    email = EmailField("Co-organiser's e-mail", validators=[
        _required("Please enter the e-mail address."), Length(max=limits.EMAIL_MAX)])


class AttendanceImportForm(FlaskForm):
    file = FileField("Participant report (CSV)", validators=[
        FileRequired("Choose the CSV file of the meeting's participant report.")])


class AnnouncementForm(FlaskForm):
    audience = SelectField("To", choices=[SelectChoice(value, label)
                                          for value, label in AUDIENCE_LABELS.items()])
    subject = StringField("Subject", validators=[_required("Please enter a subject."),
                                                 Length(max=limits.SUBJECT_MAX)])
    body = TextAreaField("Message", validators=[_required("Please write the message."),
                                                Length(max=limits.MESSAGE_MAX)])
    greeting = BooleanField("Start with “Kia ora” and the person's name", default=True)


class ResourceForm(FlaskForm):
    """A resource of an event; its fields are prefixed ("resource-kind"), as the event's
    page also holds the form of its people."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "resource")
        super().__init__(*args, **kwargs)

    title = StringField("Title", validators=[_required("Please enter the title."),
                                             Length(max=limits.RESOURCE_TITLE_MAX)])
    kind = SelectField("Kind", choices=[SelectChoice(kind.value, kind.label)
                                        for kind in ResourceKind])
    timing = SelectField("When", choices=[SelectChoice(timing.value, timing.label)
                                          for timing in ResourceTiming])
    audience = SelectField("Who sees it", choices=[SelectChoice(audience.value, audience.label)
                                                   for audience in ResourceAudience])
    url = URLField("Link", validators=[Optional(), Length(max=limits.RESOURCE_URL_MAX)])
    description = TextAreaField("Notes (Markdown)", validators=[
        Length(max=limits.RESOURCE_DESCRIPTION_MAX)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""
