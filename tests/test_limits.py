"""Each limit and default is written once (``events.limits``): the organisers' forms, the
domain's checks and new rows all use the same numbers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms.validators import NumberRange

from events import booking, limits, planning, reminders
from events.errors import InvalidInput
from events.models import Event, Programme
from webapp.organise.forms import EventForm, ProgrammeForm, SeriesForm


@pytest.mark.parametrize(("form", "field", "bounds"), [
    (EventForm, "capacity", limits.CAPACITY),
    (EventForm, "duration_minutes", limits.DURATION),
    (EventForm, "target_attendance", limits.TARGET_ATTENDANCE),
    (SeriesForm, "target_attendance", limits.TARGET_ATTENDANCE),
])
def test_a_forms_number_range_is_the_domains(app: Flask, form: type[FlaskForm], field: str,
                                             bounds: limits.Bounds) -> None:
    with app.test_request_context():
        ranges = [check for check in form()[field].validators if isinstance(check, NumberRange)]
    assert [(check.min, check.max) for check in ranges] == [(bounds.low, bounds.high)]


def test_capacity_takes_its_bounds_and_nothing_beyond_them_in_every_path(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=5)
    for seats in (limits.CAPACITY.low, limits.CAPACITY.high):
        booking.change_capacity(session, event.id, seats)
        session.commit()
        assert limits.CAPACITY.check(seats, "capacity", "capacity") == seats
    for seats in (limits.CAPACITY.low - 1, limits.CAPACITY.high + 1):
        with pytest.raises(InvalidInput, match=limits.CAPACITY.hint):
            booking.change_capacity(session, event.id, seats)
        session.rollback()
        plan = planning.EventPlan(kind="conversation", title="T", starts_at_local=None,
                                  capacity=seats)
        with pytest.raises(InvalidInput, match=limits.CAPACITY.hint):
            limits.CAPACITY.check(plan.capacity, "capacity", "capacity")


def test_reminder_offsets_the_form_accepts_are_the_ones_reminders_use(
        session: Session) -> None:
    highest = limits.REMINDER_OFFSET.high
    assert planning.clean_reminder_offsets(f"{highest}, 60") == [highest, 60]
    with pytest.raises(InvalidInput):
        planning.clean_reminder_offsets(str(highest + 1))
    programme = Programme(slug="p", name="P", reminder_offsets=[highest + 1, highest, 60])
    assert reminders.reminder_offsets(programme) == [highest, 60]


def test_a_new_programme_and_its_form_start_from_the_same_defaults(
        app: Flask, session: Session) -> None:
    programme = Programme(slug="p", name="P")
    session.add(programme)
    session.flush()
    with app.test_request_context():
        form = ProgrammeForm()
    assert (programme.timezone, form.timezone.data) == (limits.DEFAULT_TIMEZONE,) * 2
    assert (programme.after_hours_start, form.after_hours_start.data) == (
        limits.DEFAULT_AFTER_HOURS_START,) * 2
    assert (programme.after_hours_end, form.after_hours_end.data) == (
        limits.DEFAULT_AFTER_HOURS_END,) * 2
    assert programme.reminder_offsets == list(limits.DEFAULT_REMINDER_OFFSETS)
    assert planning.clean_reminder_offsets(form.reminder_offsets.data) == list(
        limits.DEFAULT_REMINDER_OFFSETS)
    with app.test_request_context():
        assert EventForm().capacity.data == limits.DEFAULT_CAPACITY
