"""Events of every kind: create, edit, publish, complete or cancel, and who is on them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from events import planning, scheduling, signed_links
from events.descriptions import render_markdown
from events.errors import InvalidInput, NotOpen
from events.models import Event, EventKind, EventStatus, Programme
from webapp.extensions import db
from webapp.organise.access import bp, load_event, load_programme
from webapp.organise.forms import ActionForm, CancelForm, EventForm, RoleForm
from webapp.organise.views import Page, refuse

PLAN_FIELDS = ("title", "duration_minutes", "capacity", "waitlist_enabled", "meeting_url",
               "description", "target_attendance", "unit_name", "prompt_work",
               "prompt_challenges", "prompt_direction", "book_title")


def _event_form(programme: Programme, event: Event | None = None) -> EventForm:
    form = EventForm(obj=event)
    form.series_id.choices = [SelectChoice(0, "No series")] + [  # type: ignore[arg-type]
        SelectChoice(s.id, s.title) for s in programme.series]  # type: ignore[arg-type]
    if not form.is_submitted():
        if event is not None:
            form.series_id.data = event.series_id or 0
            form.starts_at.data = scheduling.to_local(event.starts_at, programme.timezone)
            form.kind.data = event.kind.value
        else:
            kind = request.args.get("kind", "")
            form.kind.data = kind if kind in EventKind.__members__ else "conversation"
            series = request.args.get("series_id", "")
            form.series_id.data = signed_links.small_id(series) or 0
    return form


def _plan(form: EventForm) -> planning.EventPlan:
    values = {name: getattr(form, name).data for name in PLAN_FIELDS}
    for name in PLAN_FIELDS:
        if isinstance(values[name], str):
            values[name] = values[name] or ""
    return planning.EventPlan(kind=form.kind.data or "", starts_at_local=form.starts_at.data,
                              series_id=form.series_id.data or None, **values)


def _form_page(form: EventForm, programme: Programme, event: Event | None,
               status: int = 200) -> Page:
    preview = None
    if request.form.get("action") == "preview":
        preview = Markup(render_markdown(form.description.data or ""))
    page = render_template("organise/event_form.html", form=form, programme=programme,
                           event=event, preview=preview,
                           kinds=list(EventKind))
    return (page, status) if status != 200 else page


def _helper_action(form: EventForm) -> bool:
    """Buttons that fill in the form without saving: a fresh room, a preview."""
    action = request.form.get("action")
    if action == "propose_room":
        form.meeting_url.data = planning.propose_meeting_room(form.title.data or "")
        form.meeting_url.raw_data = [form.meeting_url.data]
    return action in ("propose_room", "preview")


@bp.route("/programmes/<int:programme_id>/events/new", methods=["GET", "POST"])
def new_event(programme_id: int) -> Page:
    programme = load_programme(programme_id)
    form = _event_form(programme)
    if form.is_submitted() and _helper_action(form):
        return _form_page(form, programme, None)
    if form.validate_on_submit():
        try:
            event = planning.create_event(db.session, programme, _plan(form))
        except InvalidInput as error:
            refuse(form, error, "title")
        else:
            db.session.commit()
            flash(f"Draft “{event.title}” saved. Publish it when it is ready.", "good")
            return redirect(url_for("organise.event", event_id=event.id))
    return _form_page(form, programme, None, 422 if form.errors else 200)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int) -> Page:
    event = load_event(event_id)
    programme = event.programme
    form = _event_form(programme, event)
    if form.is_submitted() and _helper_action(form):
        return _form_page(form, programme, event)
    if form.validate_on_submit():
        try:
            planning.edit_event(db.session, event, _plan(form))
        except InvalidInput as error:
            refuse(form, error, "title")
        except NotOpen as error:
            db.session.rollback()
            flash(error.message, "bad")
            return redirect(url_for("organise.event", event_id=event_id))
        else:
            db.session.commit()
            flash("Event saved. Participants hear of any new time, length or title.", "good")
            return redirect(url_for("organise.event", event_id=event_id))
    return _form_page(form, programme, event, 422 if form.errors else 200)


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> str:
    event = load_event(event_id)
    return _event_page(event, RoleForm(), CancelForm())


def _event_page(event: Event, role_form: RoleForm, cancel_form: CancelForm,
                status: int = 200) -> Page:
    warnings = scheduling.warnings_for(db.session, event)
    page = render_template("organise/event.html", event=event, warnings=warnings,
                           role_form=role_form, cancel_form=cancel_form, action=ActionForm(),
                           moves=planning.STATUS_MOVES.get(event.status, set()))
    return (page, status) if status != 200 else page


@bp.post("/events/<int:event_id>/status")
def change_status(event_id: int) -> Page:
    event = load_event(event_id)
    form = ActionForm()
    wanted = request.form.get("status", "")
    if form.validate_on_submit() and wanted in (EventStatus.published, EventStatus.completed):
        try:
            planning.change_status(db.session, event, EventStatus(wanted))
        except NotOpen as error:
            db.session.rollback()
            flash(error.message, "bad")
        else:
            db.session.commit()
            flash(f"The event is now {wanted}.", "good")
    return redirect(url_for("organise.event", event_id=event_id))


@bp.post("/events/<int:event_id>/cancel")
def cancel_event(event_id: int) -> Page:
    event = load_event(event_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            planning.change_status(db.session, event, EventStatus.cancelled,
                                   reason=form.reason.data or "")
        except InvalidInput as error:
            refuse(form, error, "reason")
        except NotOpen as error:
            db.session.rollback()
            flash(error.message, "bad")
            return redirect(url_for("organise.event", event_id=event_id))
        else:
            db.session.commit()
            flash("The event is cancelled; participants are being told.", "good")
            return redirect(url_for("organise.event", event_id=event_id))
    return _event_page(event, RoleForm(), form, status=422)


@bp.post("/events/<int:event_id>/roles")
def add_role(event_id: int) -> Page:
    event = load_event(event_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            role = planning.add_role(db.session, event, form.kind.data, form.name.data,
                                     form.email.data)
        except InvalidInput as error:
            refuse(form, error, "name")
        else:
            db.session.commit()
            flash(f"{role.person.name} added as {role.kind.value}.", "good")
            return redirect(url_for("organise.event", event_id=event_id))
    return _event_page(event, form, CancelForm(), status=422)


@bp.post("/events/<int:event_id>/roles/<int:role_id>/remove")
def remove_role(event_id: int, role_id: int) -> Page:
    event = load_event(event_id)
    if ActionForm().validate_on_submit():
        planning.remove_role(db.session, event, role_id)
        db.session.commit()
        flash("Removed from the event.", "good")
    return redirect(url_for("organise.event", event_id=event_id))
