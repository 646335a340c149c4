"""Resources along the way: organisers attach readings, recordings, slides and links to an
event, edit them, put them in order and take them off."""

from __future__ import annotations

from flask import render_template, request, url_for

from events import resources
from events.models import Event
from events.resources import Resource
from webapp.extensions import db
from webapp.organise.access import bp, load_event
from webapp.organise.event_views import event_page
from webapp.organise.forms import ResourceForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page

STEPS = {"up": -1, "down": 1}


def _plan(form: ResourceForm) -> resources.ResourcePlan:
    return resources.ResourcePlan(
        title=form.title.data or "", kind=form.kind.data or "", timing=form.timing.data or "",
        audience=form.audience.data or "", url=form.url.data or "",
        description=form.description.data or "")


def _back(event: Event) -> str:
    return url_for("organise.event", event_id=event.id, _anchor="resources-heading")


@bp.post("/events/<int:event_id>/resources")
def add_resource(event_id: int) -> Page:
    event = load_event(event_id)
    form = ResourceForm()
    return form_page(
        form, lambda: resources.add_resource(db.session, event, _plan(form)),
        page=lambda problem: event_page(event, resource_form=form, problem=problem),
        done=lambda resource: saved(f"“{resource.title}” added.", "organise.event",
                                    event_id=event_id, _anchor="resources-heading"),
        fallback_field="title")


def _edit_page(event: Event, resource: Resource, form: ResourceForm,
               problem: str | None = None) -> str:
    return render_template("organise/resource_form.html", event=event, resource=resource,
                           form=form, problem=problem)


@bp.route("/events/<int:event_id>/resources/<int:resource_id>/edit", methods=["GET", "POST"])
def edit_resource(event_id: int, resource_id: int) -> Page:
    event = load_event(event_id)
    resource = resources.resource_of(db.session, event, resource_id)
    form = ResourceForm(obj=resource)
    return form_page(
        form, lambda: resources.edit_resource(db.session, resource, _plan(form)),
        page=lambda problem: _edit_page(event, resource, form, problem),
        done=lambda _: saved("Resource saved.", "organise.event", event_id=event_id,
                             _anchor="resources-heading"),
        fallback_field="title")


@bp.post("/events/<int:event_id>/resources/<int:resource_id>/move")
def move_resource(event_id: int, resource_id: int) -> Page:
    event = load_event(event_id)
    resource = resources.resource_of(db.session, event, resource_id)
    step = STEPS.get(request.form.get("direction", ""), 0)
    return button(lambda: resources.move_resource(db.session, resource, step),
                  done=lambda moved: f"“{moved.title}” moved.", back=_back(event),
                  page=lambda problem: event_page(event, problem=problem))


@bp.post("/events/<int:event_id>/resources/<int:resource_id>/remove")
def remove_resource(event_id: int, resource_id: int) -> Page:
    event = load_event(event_id)
    resource = resources.resource_of(db.session, event, resource_id)
    title = resource.title
    return button(lambda: resources.remove_resource(db.session, resource),
                  done=lambda _: f"“{title}” removed.", back=_back(event),
                  page=lambda problem: event_page(event, problem=problem))
