"""The organisers' forms for a programme's ideas board. Shapes only; rules live in ``events``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from events import limits
from events.idea_boards import BoardMode

WHEN = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _when(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=WHEN, validators=[Optional()])


class BoardForm(FlaskForm):
    mode = SelectField("How the board runs", default=BoardMode.staged.value, choices=[
        SelectChoice(BoardMode.staged.value, "Challenges first, then ideas for the most "
                                             "supported ones"),
        SelectChoice(BoardMode.topics.value, "One list of topics")])
    intro = TextAreaField("Introduction (Markdown)",
                          validators=[Length(max=limits.BOARD_INTRO_MAX)])
    opens_at = _when("Challenges (or topics) open")
    closes_at = _when("Challenges (or topics) close")
    ideas_open_at = _when("Ideas open")
    ideas_close_at = _when("Ideas close")
    vote_budget = IntegerField("Votes each person may hold at once, per stage",
                               default=limits.DEFAULT_VOTE_BUDGET, validators=[Optional()])
    ready_votes = IntegerField("Votes that, with a helper, make an idea ready",
                               default=limits.DEFAULT_READY_VOTES, validators=[Optional()])
    finalists = IntegerField("Challenges taken on to the ideas stage",
                             default=limits.DEFAULT_FINALISTS, validators=[Optional()])
    allowed_domains = TextAreaField("Only addresses under these domains may take part",
                                    validators=[Length(max=limits.ALLOWED_DOMAINS_MAX)])
    allowed_domains_label = StringField(
        "Who they are, in words", validators=[Length(max=limits.ALLOWED_DOMAINS_LABEL_MAX)])
    allowed_domains_for_rsvps = BooleanField("Apply the list to RSVPs for this programme's "
                                             "events too")


class StatusForm(FlaskForm):
    status = SelectField("New status")
    reason = TextAreaField("Reason everyone on the board reads",
                           validators=[Length(max=limits.IDEA_REASON_MAX)])


class MergeForm(FlaskForm):
    target_id = SelectField("Merge it into", coerce=int, validate_choice=False)


class HideForm(FlaskForm):
    reason = TextAreaField("Reason shown in its place",
                           validators=[Length(max=limits.IDEA_REASON_MAX)])
