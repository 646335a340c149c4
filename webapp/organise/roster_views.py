"""Running an event: the roster, attendance, its CSV in and out, and announcements."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from events import announcements, roster, signed_links
from events.errors import InvalidInput, NotOpen
from events.models import Event, RegistrationStatus
from webapp.extensions import db
from webapp.organise.access import bp, load_event, organiser
from webapp.organise.forms import ActionForm, AnnouncementForm, AttendanceImportForm
from webapp.organise.views import Page, refuse


def _roster_page(event: Event, upload: AttendanceImportForm,
                 imported: roster.AttendanceImport | None = None, status: int = 200) -> Page:
    page = render_template("organise/roster.html", event=event,
                           roster=roster.roster(db.session, event), action=ActionForm(),
                           upload=upload, imported=imported)
    return (page, status) if status != 200 else page


@bp.get("/events/<int:event_id>/roster")
def roster_page(event_id: int) -> Page:
    return _roster_page(load_event(event_id), AttendanceImportForm())


def _marking() -> tuple[RegistrationStatus | None, list[int]]:
    """Read the roster form: one row's button ("attended:17") or a bulk action."""
    choice = request.form.get("mark", "")
    wanted, _, single = choice.partition(":")
    if wanted not in ("attended", "no_show", "confirmed"):
        return None, []
    ids = [single] if single else request.form.getlist("registration_id")
    wanted_ids = [signed_links.small_id(value) for value in ids]
    return RegistrationStatus(wanted), [value for value in wanted_ids if value is not None]


@bp.post("/events/<int:event_id>/roster/mark")
def mark_attendance(event_id: int) -> Page:
    event = load_event(event_id)
    if ActionForm().validate_on_submit():
        status, ids = _marking()
        try:
            if status is None:
                raise InvalidInput("Choose attended or no-show.")
            result = roster.mark(db.session, event, ids, status)
        except InvalidInput as error:
            db.session.rollback()
            flash(error.message, "bad")
        else:
            db.session.commit()
            label = {"attended": "attended", "no_show": "no-show",
                     "confirmed": "not yet marked"}[status.value]
            flash(f"{result.changed} marked as {label}.", "good")
            if result.refused:
                flash("Not changed, as they hold no seat: " + ", ".join(result.refused) + ".",
                      "bad")
    return redirect(url_for("organise.roster_page", event_id=event_id))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/promote")
def promote(event_id: int, registration_id: int) -> Page:
    event = load_event(event_id)
    if ActionForm().validate_on_submit():
        try:
            registration = roster.promote(db.session, event, registration_id)
        except (InvalidInput, NotOpen) as error:
            db.session.rollback()
            flash(error.message, "bad")
        else:
            db.session.commit()
            flash(f"{registration.person.name} has a seat now and is being told.", "good")
    return redirect(url_for("organise.roster_page", event_id=event_id))


@bp.post("/events/<int:event_id>/attendance")
def import_attendance(event_id: int) -> Page:
    event = load_event(event_id)
    form = AttendanceImportForm()
    if form.validate_on_submit():
        try:
            result = roster.import_attendance(db.session, event, form.file.data.read())
        except InvalidInput as error:
            refuse(form, error, "file")
        else:
            db.session.commit()
            return _roster_page(event, AttendanceImportForm(formdata=None), imported=result)
    return _roster_page(event, form, status=422)


@bp.get("/events/<int:event_id>/registrations.csv")
def export_registrations(event_id: int) -> FlaskResponse:
    event = load_event(event_id)
    name = f"event-{event.id}-registrations.csv"
    return FlaskResponse(roster.export_csv(db.session, event), mimetype="text/csv",
                         headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/events/<int:event_id>/announcements", methods=["GET", "POST"])
def announce(event_id: int) -> Page | Response:
    event = load_event(event_id)
    form = AnnouncementForm()
    problem = None
    if form.validate_on_submit():
        try:
            sent = announcements.announce(db.session, event, form.audience.data or "",
                                          form.subject.data, form.body.data, organiser())
        except InvalidInput as error:
            refuse(form, error, "body")
        except NotOpen as error:
            db.session.rollback()
            problem = error.message
        else:
            db.session.commit()
            flash(f"Your message is on its way to {sent.recipients} people.", "good")
            return redirect(url_for("organise.announce", event_id=event_id))
    status = 422 if form.errors else 409 if problem else 200
    page = render_template("organise/announcements.html", event=event, form=form,
                           problem=problem, history=announcements.history(db.session, event))
    return (page, status) if status != 200 else page
