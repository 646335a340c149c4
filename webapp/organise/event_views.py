"""Events of every kind: create, edit, publish, complete or cancel, and who is on them."""

from __future__ import annotations

from flask import render_template, request, url_for
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from events import early_access, planning, resources, scheduling, signed_links
from events.briefings import briefings_for
from events.descriptions import render_markdown
from events.models import Event, EventKind, EventStatus, Programme
from webapp.extensions import db
from webapp.organise.access import bp, load_event, load_programme
from webapp.organise.forms import (
    ActionForm,
    CancelForm,
    EventForm,
    InvitationForm,
    ResourceForm,
)
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page

PLAN_FIELDS = ("title", "duration_minutes", "capacity", "waitlist_enabled", "meeting_url",
               "description", "target_attendance", "unit_name", "prompt_work",
               "prompt_challenges", "prompt_direction", "book_title", "recorded")


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
               problem: str | None = None) -> str:
    preview = None
    if request.form.get("action") == "preview":
        preview = Markup(render_markdown(form.description.data or ""))
    return render_template("organise/event_form.html", form=form, programme=programme,
                           event=event, preview=preview, kinds=list(EventKind),
                           problem=problem)


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
    return form_page(
        form, lambda: planning.create_event(db.session, programme, _plan(form)),
        page=lambda problem: _form_page(form, programme, None, problem),
        done=lambda event: saved(f"Draft “{event.title}” saved. Publish it when it is ready.",
                                 "organise.event", event_id=event.id),
        fallback_field="title")


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int) -> Page:
    event = load_event(event_id)
    programme = event.programme
    form = _event_form(programme, event)
    if form.is_submitted() and _helper_action(form):
        return _form_page(form, programme, event)
    return form_page(
        form, lambda: planning.edit_event(db.session, event, _plan(form)),
        page=lambda problem: _form_page(form, programme, event, problem),
        done=lambda _: saved("Event saved. Participants hear of any new time, length or "
                             "title.", "organise.event", event_id=event_id),
        fallback_field="title")


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> str:
    return event_page(load_event(event_id))


def event_page(event: Event, invitation_form: InvitationForm | None = None,
               cancel_form: CancelForm | None = None, problem: str | None = None,
               resource_form: ResourceForm | None = None) -> str:
    """The organiser's page of ``event``, with a refusal or a form's errors if any."""
    warnings = scheduling.warnings_for(db.session, event)
    return render_template("organise/event.html", event=event, warnings=warnings,
                           invitation_form=invitation_form or InvitationForm(),
                           cancel_form=cancel_form or CancelForm(), action=ActionForm(),
                           problem=problem, briefings=briefings_for(db.session, [event])[event.id],
                           moves=planning.STATUS_MOVES.get(event.status, set()),
                           resources=resources.of_event(db.session, event.id),
                           resource_form=resource_form or ResourceForm(),
                           from_ideas=early_access.ideas_behind(db.session, event))


@bp.post("/events/<int:event_id>/status")
def change_status(event_id: int) -> Page:
    event = load_event(event_id)
    wanted = request.form.get("status", "")
    if wanted not in (EventStatus.published, EventStatus.completed):
        return event_page(event, problem="Choose to publish or complete the event."), 422
    return button(lambda: planning.change_status(db.session, event, EventStatus(wanted)),
                  done=lambda _: f"The event is now {wanted}.",
                  back=url_for("organise.event", event_id=event_id),
                  page=lambda problem: event_page(event, problem=problem))


@bp.post("/events/<int:event_id>/cancel")
def cancel_event(event_id: int) -> Page:
    event = load_event(event_id)
    form = CancelForm()
    return form_page(
        form, lambda: planning.change_status(db.session, event, EventStatus.cancelled,
                                             reason=form.reason.data or ""),
        page=lambda problem: _cancel_page(event, form, problem),
        done=lambda _: saved("The event is cancelled; participants are being told.",
                             "organise.event", event_id=event_id),
        fallback_field="reason")



@bp.get("/events/<int:event_id>/cancel")
def confirm_cancel_event(event_id: int) -> str:
    """The second step of cancelling: who will be told what, the reason they will read,
    and one button that does it (a plain form: no JavaScript needed)."""
    return _cancel_page(load_event(event_id))


def _cancel_page(event: Event, form: CancelForm | None = None,
                 problem: str | None = None) -> str:
    return render_template("organise/cancel_event.html", event=event,
                           form=form or CancelForm(), problem=problem,
                           can_cancel=EventStatus.cancelled in planning.STATUS_MOVES.get(
                               event.status, set()))
