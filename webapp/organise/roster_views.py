"""Running an event: the roster, attendance, its CSV in and out, and taking a place away.

Changes to more than one person, and taking a place away, ask first on a page of
their own that says what will happen (``organise/confirm.html``): a second POST
with ``confirmed`` set does it, so it works without JavaScript.
"""

from __future__ import annotations

from flask import Response, flash, render_template, request, url_for

from events import attendance_import, roster, signed_links
from events.errors import DomainError, InvalidInput
from events.models import Event, RegistrationStatus, utcnow
from webapp.errors import status_of
from webapp.extensions import db
from webapp.organise.access import bp, load_event
from webapp.organise.forms import ActionForm, AttendanceImportForm
from webapp.pipeline import Page, button, form_page

MARK_LABELS = {"attended": "attended", "no_show": "no-show", "confirmed": "not yet marked"}
# People not changed by a bulk mark are named up to this many, else counted.
NAMES_LISTED = 10
TAB_LABELS = {"seat": "With a seat", "confirmed": "Not yet marked", "attended": "Attended",
              "no_show": "No-show", "waitlisted": "Waitlist", "cancelled": "Cancelled",
              "all": "Everyone"}


def _selection(values: dict[str, str] | None = None) -> roster.Selection:
    values = values if values is not None else request.args
    return roster.Selection.of(values.get("show"), values.get("q"), values.get("page"))


def _roster_url(event: Event, selection: roster.Selection, **changes: object) -> str:
    wanted: dict[str, object] = {"show": selection.shown, "q": selection.search,
                                 "page": selection.page, **changes}
    shown = {key: value for key, value in wanted.items()
             if value and not (key == "page" and value == 1)
             and not (key == "show" and value == roster.DEFAULT_SHOWN)}
    return url_for("organise.roster_page", event_id=event.id, **shown)


def _roster_page(event: Event, selection: roster.Selection | None = None,
                 problem: str | None = None) -> str:
    selection = selection or _selection()
    now = utcnow()
    return render_template("organise/roster.html", event=event,
                           page=roster.roster_page(db.session, event, selection),
                           action=ActionForm(), tabs=TAB_LABELS, roster_url=_roster_url,
                           can_mark=event.records_attendance(now),
                           can_remove=not event.has_started(now), problem=problem)


@bp.get("/events/<int:event_id>/roster")
def roster_page(event_id: int) -> str:
    return _roster_page(load_event(event_id))


def _marking(event: Event) -> tuple[RegistrationStatus, list[int], bool]:
    """Read the roster form: one row's button ("attended:17") or a bulk action on the
    ticked people or on everyone the list shows (``scope=all``). The flag says bulk."""
    choice = request.form.get("mark", "")
    wanted, _, single = choice.partition(":")
    if wanted not in MARK_LABELS:
        raise InvalidInput("Choose attended or no-show.", field="status")
    if single:
        ids = [signed_links.small_id(single)]
    elif request.form.get("scope") == "all":
        ids = list(roster.selected_ids(db.session, event, _selection(request.form)))
    else:
        ids = [signed_links.small_id(value) for value in request.form.getlist("registration_id")]
    chosen = [value for value in ids if value is not None]
    return RegistrationStatus(wanted), chosen, not single and len(chosen) > 1


def _marked(result: roster.Marked, status: RegistrationStatus) -> str:
    if len(result.refused) > NAMES_LISTED:
        flash(f"{len(result.refused)} people hold no seat and were not changed.", "bad")
    elif result.refused:
        flash("Not changed, as they hold no seat: " + ", ".join(result.refused) + ".", "bad")
    return f"{result.changed} marked as {MARK_LABELS[status.value]}."


def _confirm_marking(event: Event, status: RegistrationStatus, plan: roster.Marked,
                     back: str) -> str:
    label = MARK_LABELS[status.value]
    people = f"{plan.changed} {'person' if plan.changed == 1 else 'people'}"
    lines = [f"{people} will be marked as {label}."]
    if plan.unchanged:
        lines.append(f"{plan.unchanged} already {'is' if plan.unchanged == 1 else 'are'} "
                     f"marked as {label} and stay so.")
    if plan.refused:
        lines.append(f"{len(plan.refused)} hold no seat and stay as they are.")
    lines.append("Nobody gets an e-mail about it; marks can be changed later.")
    hidden = [(name, value) for name in ("mark", "scope", "show", "q", "page")
              for value in request.form.getlist(name)]
    hidden += [("registration_id", value) for value in request.form.getlist("registration_id")]
    hidden.append(("confirmed", str(plan.changed)))
    return render_template(
        "organise/confirm.html", event=event, title=f"Mark {people} as {label}?",
        consequences=lines, action=url_for("organise.mark_attendance", event_id=event.id),
        hidden=hidden, button=f"Mark {people} as {label}", back=back, form=ActionForm())


@bp.post("/events/<int:event_id>/roster/mark")
def mark_attendance(event_id: int) -> Page:
    event = load_event(event_id)
    back = _roster_url(event, _selection(request.form))
    try:
        status, ids, bulk = _marking(event)
        plan = roster.plan_mark(db.session, event, ids, status) if bulk else None
    except DomainError as error:
        return _roster_page(event, _selection(request.form), error.message), status_of(error)
    # Ask first; and again if the list changed since the organiser was asked.
    if plan is not None and request.form.get("confirmed") != str(plan.changed):
        return _confirm_marking(event, status, plan, back)
    return button(lambda: roster.mark(db.session, event, ids, status),
                  done=lambda marked: _marked(marked, status), back=back,
                  page=lambda problem: _roster_page(event, _selection(request.form), problem))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/promote")
def promote(event_id: int, registration_id: int) -> Page:
    event = load_event(event_id)
    return button(lambda: roster.promote(db.session, event, registration_id),
                  done=lambda promoted: f"{promoted.person.name} has a seat now and is being "
                                        "told.",
                  back=_roster_url(event, _selection(request.form)),
                  page=lambda problem: _roster_page(event, problem=problem))


@bp.route("/events/<int:event_id>/registrations/<int:registration_id>/remove",
          methods=["GET", "POST"])
def remove_registration(event_id: int, registration_id: int) -> Page:
    """GET asks (what will happen, to whom); POST takes the place away."""
    event = load_event(event_id)
    back = _roster_url(event, _selection(request.values))
    if request.method == "POST":
        return button(lambda: roster.remove(db.session, event, registration_id),
                      done=lambda gone: f"{gone.person.name}'s place is cancelled; they are "
                                        "being told.",
                      back=back, page=lambda problem: _roster_page(event, problem=problem))
    try:
        plan = roster.plan_removal(db.session, event, registration_id)
    except DomainError as error:
        return _roster_page(event, _selection(request.args), error.message), status_of(error)
    person = plan.registration.person
    place = ("seat" if plan.registration.status == RegistrationStatus.confirmed
             else "place on the waitlist")
    lines = [f"{person.name} ({person.email}) will lose their {place} at {event.title}.",
             f"{person.name} will get an e-mail saying the place is cancelled, and the "
             "calendar entry is withdrawn."]
    if plan.next_in_line is not None:
        lines.append(f"The seat goes to the first person on the waitlist, "
                     f"{plan.next_in_line.person.name}, who is told at once.")
    hidden = [(name, value) for name in ("show", "q", "page")
              for value in request.args.getlist(name)]
    return render_template(
        "organise/confirm.html", event=event, title=f"Take {person.name} off the roster?",
        consequences=lines, hidden=hidden, back=back, form=ActionForm(), danger=True,
        action=url_for("organise.remove_registration", event_id=event.id,
                       registration_id=registration_id),
        button=f"Cancel {person.name}'s place")


def _import_page(event: Event, upload: AttendanceImportForm | None = None,
                 imported: attendance_import.AttendanceImport | None = None,
                 problem: str | None = None) -> str:
    return render_template("organise/attendance_import.html", event=event,
                           upload=upload or AttendanceImportForm(), imported=imported,
                           can_mark=event.records_attendance(utcnow()), problem=problem)


@bp.get("/events/<int:event_id>/attendance")
def attendance_import_page(event_id: int) -> str:
    return _import_page(load_event(event_id))


@bp.post("/events/<int:event_id>/attendance")
def import_attendance(event_id: int) -> Page:
    event = load_event(event_id)
    form = AttendanceImportForm()
    return form_page(
        form, lambda: attendance_import.import_attendance(db.session, event, form.file.data.read()),
        page=lambda problem: _import_page(event, form, problem=problem),
        done=lambda result: _import_page(event, AttendanceImportForm(formdata=None), result),
        fallback_field="file")


@bp.get("/events/<int:event_id>/registrations.csv")
def export_registrations(event_id: int) -> Response:
    event = load_event(event_id)
    name = f"event-{event.id}-registrations.csv"
    return Response(roster.export_csv(db.session, event), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
