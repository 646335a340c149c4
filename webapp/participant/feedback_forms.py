"""The feedback forms a participant fills in. Shapes only: ``events.feedback`` checks
every answer, so a value outside the choices gets the domain's words beside its field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from events import feedback, feedback_models


def _as_sent(value: Any) -> Any:
    """A radio's value as a number when it is one, else as sent (the domain refuses it)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 3:
        return int(value)
    return value


def _choices(labels: dict[Any, str]) -> list[SelectChoice]:
    # A scale's points carry their number as well as their word.
    return [SelectChoice(value, f"{value} {label}" if isinstance(value, int) else label)
            for value, label in labels.items()]


def _radio(label: str, labels: dict[Any, str]) -> RadioField:
    return RadioField(label, choices=_choices(labels), coerce=_as_sent, validate_choice=False)


def _text(label: str) -> TextAreaField:
    return TextAreaField(label)


class EveningForm(FlaskForm):
    rating = _radio("Overall, how was it?", feedback_models.RATING_LABELS)
    worked = _text("What worked for you?")
    better = _text("What could be better?")
    come_again = _radio("Would you come again?", feedback_models.COME_AGAIN_LABELS)
    topics = _text("Topics you'd like next")
    share_with_speakers = BooleanField("Share my comments with the speakers")
    may_quote = BooleanField("You may quote me, without my name, in reports")


class NoShowForm(FlaskForm):
    obstacle = _radio("What got in the way?", feedback_models.OBSTACLE_LABELS)
    obstacle_note = _text("Anything you'd like to add? (optional)")


class FollowUpForm(FlaskForm):
    used = _radio("Have you used or shared what you learned?", feedback_models.USED_LABELS)
    how = _text("How?")


def form_class(form: feedback.Form) -> type[FlaskForm]:
    """The form for ``form``'s questions, with a pair of scales per outcome statement."""
    if form.questions == feedback_models.Questions.no_show:
        return NoShowForm
    if form.questions == feedback_models.Questions.follow_up:
        return FollowUpForm
    fields = {}
    for outcome in form.outcomes:
        fields[f"before_{outcome.id}"] = _radio("Before tonight", feedback_models.SCORE_LABELS)
        fields[f"now_{outcome.id}"] = _radio("Now", feedback_models.SCORE_LABELS)
    return type("EveningWithOutcomes", (EveningForm,), fields)


def initial_data(form: feedback.Form) -> dict[str, Any]:
    """What the form shows before anything is sent: the answers already given."""
    answers = form.answers
    if answers is None:
        return {}
    data: dict[str, Any] = {
        name: getattr(answers, name) for name in (
            "rating", "worked", "better", "topics", "share_with_speakers", "may_quote",
            "obstacle_note", "how")}
    for name in ("come_again", "obstacle", "used"):
        value = getattr(answers, name)
        data[name] = value.value if value is not None else None
    for score in answers.scores:
        data[f"before_{score.outcome_id}"] = score.before
        data[f"now_{score.outcome_id}"] = score.now
    return data


def sent_answers(web_form: FlaskForm, form: feedback.Form) -> feedback.Answers:
    """The answers as sent, for ``events.feedback.answer`` to check and keep."""
    data = web_form.data

    def value(name: str) -> Any:
        return data.get(name)

    return feedback.Answers(
        rating=value("rating"), worked=value("worked") or "", better=value("better") or "",
        come_again=value("come_again"), topics=value("topics") or "",
        scores={outcome.id: (value(f"before_{outcome.id}"), value(f"now_{outcome.id}"))
                for outcome in form.outcomes},
        share_with_speakers=bool(value("share_with_speakers")),
        may_quote=bool(value("may_quote")), obstacle=value("obstacle"),
        obstacle_note=value("obstacle_note") or "", used=value("used"),
        how=value("how") or "")
