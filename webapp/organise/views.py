"""Programmes, series and the team: the top of the organisers' workspace."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from events import accounts, co_organisers, outbox, planning
from events.discussions.models import BookDiscussion
from events.models import Event, Programme, Series
from webapp.extensions import db
from webapp.organise.access import bp, load_programme, load_series, organiser
from webapp.organise.forms import InviteForm, ProgrammeForm, SeriesForm
from webapp.pipeline import Page, form_page


def saved(message: str, endpoint: str, **values: object) -> Response:
    """Say what was saved and go to the page that shows it (303, See Other)."""
    flash(message, "good")
    return redirect(url_for(endpoint, **values), code=303)


@bp.get("/")
def home() -> str:
    programmes = accounts.visible_programmes(db.session, organiser())
    return render_template("organise/home.html", programmes=programmes)


def _programme_plan(form: ProgrammeForm) -> planning.ProgrammePlan:
    return planning.ProgrammePlan(
        name=form.name.data or "", slug=form.slug.data or "", timezone=form.timezone.data or "",
        after_hours_start=form.after_hours_start.data, after_hours_end=form.after_hours_end.data,
        weekends_open=form.weekends_open.data, description=form.description.data or "",
        sender_name=form.sender_name.data or "", contact_email=form.contact_email.data or "",
        reminder_offsets=form.reminder_offsets.data or "",
        platform_participant_limit=form.platform_participant_limit.data)


def _create_programme(form: ProgrammeForm) -> Programme:
    programme = planning.save_programme(db.session, _programme_plan(form))
    accounts.add_member(db.session, organiser(), programme)
    return programme


@bp.route("/programmes/new", methods=["GET", "POST"])
def new_programme() -> Page:
    form = ProgrammeForm()
    return form_page(
        form, lambda: _create_programme(form),
        page=lambda problem: render_template("organise/programme_form.html", form=form,
                                             programme=None, problem=problem),
        done=lambda programme: saved(f"Programme “{programme.name}” created.",
                                     "organise.programme", programme_id=programme.id),
        fallback_field="name")


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def edit_programme(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = ProgrammeForm(obj=programme)
    if not form.is_submitted():
        form.reminder_offsets.data = planning.reminder_offsets_text(
            programme.reminder_offsets or [])
    return form_page(
        form, lambda: planning.save_programme(db.session, _programme_plan(form), programme),
        page=lambda problem: render_template("organise/programme_form.html", form=form,
                                             programme=programme, problem=problem),
        done=lambda _: saved("Programme saved.", "organise.programme",
                             programme_id=programme_id),
        fallback_field="name")


@bp.get("/programmes/<int:programme_id>")
def programme(programme_id: int) -> str:
    return _programme_page(load_programme(programme_id), InviteForm())


def _programme_page(programme: Programme, invite: InviteForm,
                    problem: str | None = None) -> str:
    events = db.session.scalars(select(Event).where(Event.programme_id == programme.id)
                                .order_by(Event.starts_at, Event.id)).all()
    series = db.session.scalars(select(Series).where(Series.programme_id == programme.id)
                                .order_by(Series.id)).all()
    team = accounts.team_of(db.session, programme)
    discussions = db.session.scalars(select(BookDiscussion).where(
        BookDiscussion.programme_id == programme.id).order_by(BookDiscussion.id)).all()
    return render_template("organise/programme.html", programme=programme, events=events,
                           series=series, team=team, invite=invite, problem=problem,
                           discussions=discussions,
                           failed_mail=outbox.failed_for_programme(db.session, programme.id))


@bp.post("/programmes/<int:programme_id>/invitations")
def invite(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = InviteForm()
    return form_page(
        form, lambda: co_organisers.invite_co_organiser(db.session, organiser(), programme,
                                                   form.email.data),
        page=lambda problem: _programme_page(programme, form, problem),
        done=lambda _: saved(f"Invitation sent to {form.email.data}.", "organise.programme",
                             programme_id=programme_id),
        fallback_field="email")


def _series_plan(form: SeriesForm) -> planning.SeriesPlan:
    return planning.SeriesPlan(title=form.title.data or "", theme=form.theme.data or "",
                               description=form.description.data or "",
                               target_attendance=form.target_attendance.data)


@bp.route("/programmes/<int:programme_id>/series/new", methods=["GET", "POST"])
def new_series(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = SeriesForm()
    return form_page(
        form, lambda: planning.save_series(db.session, programme, _series_plan(form)),
        page=lambda problem: render_template("organise/series_form.html", form=form,
                                             programme=programme, series=None,
                                             problem=problem),
        done=lambda series: saved(f"Series “{series.title}” created.", "organise.programme",
                                  programme_id=programme_id),
        fallback_field="title")


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def edit_series(series_id: int) -> Page:
    series = load_series(series_id)
    form = SeriesForm(obj=series)
    return form_page(
        form, lambda: planning.save_series(db.session, series.programme, _series_plan(form),
                                           series),
        page=lambda problem: render_template("organise/series_form.html", form=form,
                                             programme=series.programme, series=series,
                                             problem=problem),
        done=lambda _: saved("Series saved.", "organise.programme",
                             programme_id=series.programme_id),
        fallback_field="title")
