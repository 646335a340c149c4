"""Planning without repetition: duplicate an event, repeat it weekly, and send the
invitations its copies carry once the organiser is ready."""

from __future__ import annotations

from flask import render_template, url_for

from events import event_copies, pending_invitations
from events.models import Event
from webapp.extensions import db
from webapp.organise.access import bp, load_event
from webapp.organise.event_views import event_page
from webapp.organise.forms import DuplicateForm, RepeatForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page


def _duplicate_page(form: DuplicateForm, event: Event, problem: str | None = None) -> str:
    return render_template("organise/duplicate_form.html", form=form, event=event,
                           problem=problem)


def _copied(copy: Event) -> object:
    waiting = len(pending_invitations.pending_for(db.session, copy))
    people = (" Its invitation waits for you to send it." if waiting == 1 else
              f" Its {waiting} invitations wait for you to send them." if waiting else "")
    return saved(f"Draft copy “{copy.title}” saved.{people}", "organise.event",
                 event_id=copy.id)


@bp.route("/events/<int:event_id>/duplicate", methods=["GET", "POST"])
def duplicate_event(event_id: int) -> Page:
    event = load_event(event_id)
    form = DuplicateForm()
    if not form.is_submitted():
        offered = event_copies.copy_plan_for(event)
        form.title.data, form.starts_at.data = offered.title, offered.starts_at_local
    return form_page(
        form, lambda: event_copies.duplicate(db.session, event, event_copies.CopyPlan(
            form.starts_at.data, form.title.data or "")),
        page=lambda problem: _duplicate_page(form, event, problem),
        done=_copied, fallback_field="starts_at")


@bp.post("/events/<int:event_id>/repeat")
def repeat_event(event_id: int) -> Page:
    event = load_event(event_id)
    form = RepeatForm()
    return form_page(
        form, lambda: event_copies.repeat_weekly(db.session, event, form.weeks.data),
        page=lambda problem: event_page(event, repeat_form=form, problem=problem),
        done=lambda copies: saved(
            f"{len(copies)} weekly draft{'s' if len(copies) != 1 else ''} of “{event.title}” "
            "saved; their invitations wait on each event's page.",
            "organise.programme", programme_id=event.programme_id),
        fallback_field="weeks")


@bp.post("/events/<int:event_id>/pending-invitations/send")
def send_pending_invitations(event_id: int) -> Page:
    event = load_event(event_id)
    return button(lambda: pending_invitations.send_pending(db.session, event),
                  done=lambda sent: f"{len(sent)} invitation{'s' if len(sent) != 1 else ''} "
                                    "on the way.",
                  back=url_for("organise.event", event_id=event_id),
                  page=lambda problem: event_page(event, problem=problem))


@bp.post("/events/<int:event_id>/pending-invitations/<int:pending_id>/discard")
def discard_pending_invitation(event_id: int, pending_id: int) -> Page:
    event = load_event(event_id)
    return button(lambda: pending_invitations.discard_pending(db.session, event, pending_id),
                  done=lambda pending: f"{pending.name} will not be invited.",
                  back=url_for("organise.event", event_id=event_id),
                  page=lambda problem: event_page(event, problem=problem))
