"""Programmes, series and the team: the top of the organisers' workspace."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from events import accounts, planning
from events.errors import InvalidInput
from events.models import Event, Programme, Series
from webapp.extensions import db
from webapp.organise.access import bp, load_programme, load_series, organiser
from webapp.organise.forms import InviteForm, ProgrammeForm, SeriesForm

Page = str | tuple[str, int] | Response


def refuse(form: object, error: InvalidInput, fallback: str) -> None:
    """Put a domain refusal beside the field it concerns."""
    db.session.rollback()
    field = getattr(form, error.field or fallback, None) or getattr(form, fallback)
    field.errors = [*field.errors, error.message]


def _status(form: object) -> int:
    return 422 if getattr(form, "errors", None) else 200


@bp.get("/")
def home() -> str:
    programmes = accounts.visible_programmes(db.session, organiser())
    return render_template("organise/home.html", programmes=programmes)


def _programme_plan(form: ProgrammeForm) -> planning.ProgrammePlan:
    return planning.ProgrammePlan(
        name=form.name.data or "", slug=form.slug.data or "", timezone=form.timezone.data or "",
        after_hours_start=form.after_hours_start.data, after_hours_end=form.after_hours_end.data,
        weekends_open=form.weekends_open.data, description=form.description.data or "",
        sender_name=form.sender_name.data or "",
        reminder_offsets=form.reminder_offsets.data or "")


@bp.route("/programmes/new", methods=["GET", "POST"])
def new_programme() -> Page:
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            programme = planning.save_programme(db.session, _programme_plan(form))
            accounts.add_member(db.session, organiser(), programme)
        except InvalidInput as error:
            refuse(form, error, "name")
        else:
            db.session.commit()
            flash(f"Programme “{programme.name}” created.", "good")
            return redirect(url_for("organise.programme", programme_id=programme.id))
    return render_template("organise/programme_form.html", form=form, programme=None), \
        _status(form)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def edit_programme(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = ProgrammeForm(obj=programme)
    if not form.is_submitted():
        form.reminder_offsets.data = planning.reminder_offsets_text(
            programme.reminder_offsets or [])
    if form.validate_on_submit():
        try:
            planning.save_programme(db.session, _programme_plan(form), programme)
        except InvalidInput as error:
            refuse(form, error, "name")
        else:
            db.session.commit()
            flash("Programme saved.", "good")
            return redirect(url_for("organise.programme", programme_id=programme.id))
    return render_template("organise/programme_form.html", form=form, programme=programme), \
        _status(form)


@bp.get("/programmes/<int:programme_id>")
def programme(programme_id: int) -> str:
    programme = load_programme(programme_id)
    return _programme_page(programme, InviteForm())


def _programme_page(programme: Programme, invite: InviteForm, status: int = 200) -> Page:
    events = db.session.scalars(select(Event).where(Event.programme_id == programme.id)
                                .order_by(Event.starts_at, Event.id)).all()
    series = db.session.scalars(select(Series).where(Series.programme_id == programme.id)
                                .order_by(Series.id)).all()
    team = accounts.team_of(db.session, programme)
    page = render_template("organise/programme.html", programme=programme, events=events,
                           series=series, team=team, invite=invite)
    return (page, status) if status != 200 else page


@bp.post("/programmes/<int:programme_id>/invitations")
def invite(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            accounts.invite_co_organiser(db.session, organiser(), programme, form.email.data)
        except InvalidInput as error:
            refuse(form, error, "email")
        else:
            db.session.commit()
            flash(f"Invitation sent to {form.email.data}.", "good")
            return redirect(url_for("organise.programme", programme_id=programme.id))
    return _programme_page(programme, form, status=422)


def _series_plan(form: SeriesForm) -> planning.SeriesPlan:
    return planning.SeriesPlan(title=form.title.data or "", theme=form.theme.data or "",
                               description=form.description.data or "",
                               target_attendance=form.target_attendance.data)


@bp.route("/programmes/<int:programme_id>/series/new", methods=["GET", "POST"])
def new_series(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = SeriesForm()
    if form.validate_on_submit():
        try:
            series = planning.save_series(db.session, programme, _series_plan(form))
        except InvalidInput as error:
            refuse(form, error, "title")
        else:
            db.session.commit()
            flash(f"Series “{series.title}” created.", "good")
            return redirect(url_for("organise.programme", programme_id=programme.id))
    return render_template("organise/series_form.html", form=form, programme=programme,
                           series=None), _status(form)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def edit_series(series_id: int) -> Page:
    series = load_series(series_id)
    form = SeriesForm(obj=series)
    if form.validate_on_submit():
        try:
            planning.save_series(db.session, series.programme, _series_plan(form), series)
        except InvalidInput as error:
            refuse(form, error, "title")
        else:
            db.session.commit()
            flash("Series saved.", "good")
            return redirect(url_for("organise.programme", programme_id=series.programme_id))
    return render_template("organise/series_form.html", form=form, programme=series.programme,
                           series=series), _status(form)
