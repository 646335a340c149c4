"""Running an event: the roster, attendance, its CSV in and out, and announcements."""

from __future__ import annotations

from flask import Response, flash, render_template, request, url_for

from events import announcements, roster, signed_links
from events.errors import InvalidInput
from events.models import Event, RegistrationStatus
from webapp.extensions import db
from webapp.organise.access import bp, load_event, organiser
from webapp.organise.forms import ActionForm, AnnouncementForm, AttendanceImportForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page

MARK_LABELS = {"attended": "attended", "no_show": "no-show", "confirmed": "not yet marked"}


def _roster_page(event: Event, upload: AttendanceImportForm | None = None,
                 imported: roster.AttendanceImport | None = None,
                 problem: str | None = None) -> str:
    return render_template("organise/roster.html", event=event,
                           roster=roster.roster(db.session, event), action=ActionForm(),
                           upload=upload or AttendanceImportForm(), imported=imported,
                           problem=problem)


@bp.get("/events/<int:event_id>/roster")
def roster_page(event_id: int) -> str:
    return _roster_page(load_event(event_id))


def _marking() -> tuple[RegistrationStatus, list[int]]:
    """Read the roster form: one row's button ("attended:17") or a bulk action."""
    choice = request.form.get("mark", "")
    wanted, _, single = choice.partition(":")
    if wanted not in MARK_LABELS:
        raise InvalidInput("Choose attended or no-show.", field="status")
    ids = [single] if single else request.form.getlist("registration_id")
    wanted_ids = [signed_links.small_id(value) for value in ids]
    return RegistrationStatus(wanted), [value for value in wanted_ids if value is not None]


def _marked(result: roster.Marked, status: RegistrationStatus) -> str:
    if result.refused:
        flash("Not changed, as they hold no seat: " + ", ".join(result.refused) + ".", "bad")
    return f"{result.changed} marked as {MARK_LABELS[status.value]}."


@bp.post("/events/<int:event_id>/roster/mark")
def mark_attendance(event_id: int) -> Page:
    event = load_event(event_id)

    def mark() -> tuple[roster.Marked, RegistrationStatus]:
        status, ids = _marking()
        return roster.mark(db.session, event, ids, status), status

    return button(mark, done=lambda marked: _marked(*marked),
                  back=url_for("organise.roster_page", event_id=event_id),
                  page=lambda problem: _roster_page(event, problem=problem))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/promote")
def promote(event_id: int, registration_id: int) -> Page:
    event = load_event(event_id)
    return button(lambda: roster.promote(db.session, event, registration_id),
                  done=lambda promoted: f"{promoted.person.name} has a seat now and is being "
                                        "told.",
                  back=url_for("organise.roster_page", event_id=event_id),
                  page=lambda problem: _roster_page(event, problem=problem))


@bp.post("/events/<int:event_id>/attendance")
def import_attendance(event_id: int) -> Page:
    event = load_event(event_id)
    form = AttendanceImportForm()
    return form_page(
        form, lambda: roster.import_attendance(db.session, event, form.file.data.read()),
        page=lambda problem: _roster_page(event, form, problem=problem),
        done=lambda result: _roster_page(event, AttendanceImportForm(formdata=None), result),
        fallback_field="file")


@bp.get("/events/<int:event_id>/registrations.csv")
def export_registrations(event_id: int) -> Response:
    event = load_event(event_id)
    name = f"event-{event.id}-registrations.csv"
    return Response(roster.export_csv(db.session, event), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/events/<int:event_id>/announcements", methods=["GET", "POST"])
def announce(event_id: int) -> Page:
    event = load_event(event_id)
    form = AnnouncementForm()
    return form_page(
        form, lambda: announcements.announce(db.session, event, form.audience.data or "",
                                             form.subject.data, form.body.data, organiser()),
        page=lambda problem: render_template(
            "organise/announcements.html", event=event, form=form, problem=problem,
            history=announcements.history(db.session, event)),
        done=lambda sent: saved(f"Your message is on its way to {sent.recipients} people.",
                                "organise.announce", event_id=event_id),
        fallback_field="body")
