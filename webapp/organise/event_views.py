"""Events of every kind: create, edit, publish, complete or cancel, and who is on them."""

from __future__ import annotations

from flask import render_template, request, url_for
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from events import (
    early_access,
    invitations,
    large_groups,
    pending_invitations,
    planning,
    resources,
    scheduling,
    signed_links,
)
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
    RepeatForm,
    ResourceForm,
)
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page

PLAN_FIELDS = ("title", "duration_minutes", "capacity", "waitlist_enabled", "meeting_url",
               "description", "target_attendance", "unit_name", "prompt_work",
               "prompt_challenges", "prompt_direction", "book_title", "recorded")


def _chosen_kind(event: Event | None = None) -> EventKind | None:
    """The kind whose fields the form shows: the one posted or asked for in the address,
    else the event's own (a new event without one first asks for it)."""
    wanted = request.form.get("kind") or request.args.get("kind", "")
    if wanted in EventKind.__members__:
        return EventKind(wanted)
    return event.kind if event is not None else None


def _event_form(programme: Programme, kind: EventKind | None,
                event: Event | None = None) -> EventForm:
    form = EventForm(obj=event)
    form.series_id.choices = [SelectChoice(0, "No series")] + [  # type: ignore[arg-type]
        SelectChoice(s.id, s.title) for s in programme.series]  # type: ignore[arg-type]
    if not form.is_submitted():
        form.kind.data = kind.value if kind is not None else None
        if event is not None:
            form.series_id.data = event.series_id or 0
            form.starts_at.data = scheduling.to_local(event.starts_at, programme.timezone)
        else:
            series = request.args.get("series_id", "")
            form.series_id.data = signed_links.small_id(series) or 0
            if kind is not None:
                form.capacity.data = planning.default_capacity(kind)
                form.duration_minutes.data = kind.default_duration
    return form


def _plan(form: EventForm) -> planning.EventPlan:
    values = {name: getattr(form, name).data for name in PLAN_FIELDS}
    for name in PLAN_FIELDS:
        if isinstance(values[name], str):
            values[name] = values[name] or ""
    return planning.EventPlan(kind=form.kind.data or "", starts_at_local=form.starts_at.data,
                              series_id=form.series_id.data or None, **values)


def _people(form: EventForm, kind: EventKind | None) -> list[invitations.InvitationPlan]:
    """The people named on the create form for the kind's parts; a part left blank is
    nobody yet."""
    people = []
    for part in planning.PEOPLE_OF_KIND[kind] if kind is not None else ():
        name = (getattr(form, f"{part.value}_name").data or "").strip()
        email = (getattr(form, f"{part.value}_email").data or "").strip()
        if name or email:
            people.append(invitations.InvitationPlan(kind=part.value, name=name, email=email))
    return people


def _form_page(form: EventForm, programme: Programme, event: Event | None,
               kind: EventKind | None, problem: str | None = None) -> str:
    preview = None
    if request.form.get("action") == "preview":
        preview = Markup(render_markdown(form.description.data or ""))
    return render_template("organise/event_form.html", form=form, programme=programme,
                           event=event, preview=preview, kinds=list(EventKind),
                           kind=kind, has_field=planning.has_field,
                           people=planning.PEOPLE_OF_KIND[kind] if kind else (),
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
    kind = _chosen_kind()
    form = _event_form(programme, kind)
    if kind is None and not form.is_submitted():
        return _form_page(form, programme, None, None)
    if form.is_submitted() and _helper_action(form):
        return _form_page(form, programme, None, kind)
    return form_page(
        form, lambda: planning.create_event(db.session, programme, _plan(form),
                                            _people(form, kind),
                                            send_invitations=form.send_invitations.data),
        page=lambda problem: _form_page(form, programme, None, kind or EventKind.conversation,
                                        problem),
        done=lambda event: saved(f"Draft “{event.title}” saved. Publish it when it is ready.",
                                 "organise.event", event_id=event.id),
        fallback_field="title")


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int) -> Page:
    event = load_event(event_id)
    programme = event.programme
    kind = _chosen_kind(event)
    form = _event_form(programme, kind, event)
    if form.is_submitted() and _helper_action(form):
        return _form_page(form, programme, event, kind)
    return form_page(
        form, lambda: planning.edit_event(db.session, event, _plan(form)),
        page=lambda problem: _form_page(form, programme, event, kind, problem),
        done=lambda _: saved("Event saved. Participants hear of any new time, length or "
                             "title.", "organise.event", event_id=event_id),
        fallback_field="title")


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> str:
    return event_page(load_event(event_id))


def event_page(event: Event, invitation_form: InvitationForm | None = None,
               cancel_form: CancelForm | None = None, problem: str | None = None,
               resource_form: ResourceForm | None = None,
               repeat_form: RepeatForm | None = None) -> str:
    """The organiser's page of ``event``, with a refusal or a form's errors if any."""
    warnings = scheduling.warnings_for(db.session, event)
    return render_template("organise/event.html", event=event, warnings=warnings,
                           invitation_form=invitation_form or InvitationForm(),
                           cancel_form=cancel_form or CancelForm(), action=ActionForm(),
                           problem=problem, briefings=briefings_for(db.session, [event])[event.id],
                           moves=planning.STATUS_MOVES.get(event.status, set()),
                           resources=resources.of_event(db.session, event.id),
                           resource_form=resource_form or ResourceForm(),
                           from_ideas=early_access.ideas_behind(db.session, event),
                           pending=pending_invitations.pending_for(db.session, event),
                           large_group_guidance=large_groups.guidance_for(event),
                           repeat_form=repeat_form or RepeatForm())


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
