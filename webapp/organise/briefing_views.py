"""Briefing notes for speakers: written for an event, its series or its programme."""

from __future__ import annotations

from flask import render_template, request, url_for
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from events import briefings
from events.briefings import Briefing
from events.descriptions import render_markdown
from events.errors import NotFound
from events.models import Event
from webapp.extensions import db
from webapp.organise.access import bp, load_event, load_programme, organiser
from webapp.organise.forms import BriefingForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page


def _load_briefing(event: Event, briefing_id: int) -> Briefing:
    """A briefing that applies to ``event``, whose programme the organiser manages."""
    briefing = briefings.briefing_by_id(db.session, briefing_id)
    load_programme(briefing.programme_id)
    if not briefing.applies_to(event):
        raise NotFound("There is no such briefing for this event.")
    return briefing


def _form(event: Event, briefing: Briefing | None = None) -> BriefingForm:
    form = BriefingForm(obj=briefing)
    form.scope.choices = [SelectChoice(scope.value, label)  # type: ignore[assignment]
                          for scope, label in briefings.scope_choices(event)]
    if not form.is_submitted():
        form.scope.data = request.args.get("scope", briefings.Scope.event.value)
    return form


def _page(form: BriefingForm, event: Event, briefing: Briefing | None,
          problem: str | None = None) -> str:
    preview = None
    if request.form.get("action") == "preview":
        preview = Markup(render_markdown(form.body.data or ""))
    return render_template("organise/briefing_form.html", form=form, event=event,
                           briefing=briefing, preview=preview, problem=problem)


def _helper_action(form: BriefingForm) -> bool:
    """Buttons that fill in the form without saving: the run sheet, a preview."""
    action = request.form.get("action")
    if action == "run_sheet":
        form.body.data = briefings.RUN_SHEET
        form.body.raw_data = [form.body.data]
    return action in ("run_sheet", "preview")


@bp.route("/events/<int:event_id>/briefings/new", methods=["GET", "POST"])
def new_briefing(event_id: int) -> Page:
    event = load_event(event_id)
    form = _form(event)
    if form.is_submitted() and _helper_action(form):
        return _page(form, event, None)
    return form_page(
        form, lambda: briefings.write_briefing(db.session, event, form.scope.data,
                                               form.body.data, organiser()),
        page=lambda problem: _page(form, event, None, problem),
        done=lambda _: saved("Briefing saved. Speakers see it on their pages.",
                             "organise.event", event_id=event_id),
        fallback_field="body")


@bp.route("/events/<int:event_id>/briefings/<int:briefing_id>/edit", methods=["GET", "POST"])
def edit_briefing(event_id: int, briefing_id: int) -> Page:
    event = load_event(event_id)
    briefing = _load_briefing(event, briefing_id)
    form = _form(event, briefing)
    if form.is_submitted() and _helper_action(form):
        return _page(form, event, briefing)
    return form_page(
        form, lambda: briefings.edit_briefing(db.session, briefing, form.body.data),
        page=lambda problem: _page(form, event, briefing, problem),
        done=lambda _: saved("Briefing saved.", "organise.event", event_id=event_id),
        fallback_field="body")


@bp.post("/events/<int:event_id>/briefings/<int:briefing_id>/delete")
def delete_briefing(event_id: int, briefing_id: int) -> Page:
    briefing = _load_briefing(load_event(event_id), briefing_id)
    return button(lambda: briefings.delete_briefing(db.session, briefing),
                  done=lambda _: "Briefing deleted.",
                  back=url_for("organise.event", event_id=event_id))
