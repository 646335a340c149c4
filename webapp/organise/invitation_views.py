"""Inviting guests, facilitators and presenters from an event's page, and following up:
send again, withdraw, record a yes on their behalf, invite again."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, url_for
from sqlalchemy.orm import Session

from events import invitations
from events.models import Event, Role
from webapp.extensions import db
from webapp.organise.access import bp, load_event
from webapp.organise.event_views import event_page
from webapp.organise.forms import InvitationForm
from webapp.organise.views import saved
from webapp.pipeline import Page, button, form_page


def _plan(form: InvitationForm) -> invitations.InvitationPlan:
    return invitations.InvitationPlan(
        kind=form.kind.data or "", name=form.name.data or "", email=form.email.data or "",
        timezone=form.timezone.data or "", message=form.message.data or "",
        already_accepted=bool(form.already_accepted.data))


def _invited(event: Event, invited: invitations.Invited) -> object:
    role = invited.role
    for warning in invited.warnings:
        flash(warning, "bad")
    if role.accepted_on_behalf:
        said = (f"{role.person.name} is {role.kind.value}, accepted on their behalf; "
                "a calendar invitation is on its way to them.")
    else:
        said = f"The invitation to {role.person.name} as {role.kind.value} is on its way."
    return saved(said, "organise.event", event_id=event.id)


@bp.post("/events/<int:event_id>/invitations")
def invite_speaker(event_id: int) -> Page:
    event = load_event(event_id)
    form = InvitationForm()
    return form_page(
        form, lambda: invitations.invite(db.session, event, _plan(form)),
        page=lambda problem: event_page(event, invitation_form=form, problem=problem),
        done=lambda invited: _invited(event, invited), fallback_field="name")


def _follow_up(event_id: int, role_id: int, act: Callable[[Session, Role], Role],
               said: str) -> Page:
    event = load_event(event_id)
    role = invitations.role_at(db.session, event, role_id)
    return button(lambda: act(db.session, role),
                  done=lambda moved: f"{moved.person.name}: {said}",
                  back=url_for("organise.event", event_id=event_id),
                  page=lambda problem: event_page(event, problem=problem))


@bp.post("/events/<int:event_id>/invitations/<int:role_id>/resend")
def resend_invitation(event_id: int, role_id: int) -> Page:
    return _follow_up(event_id, role_id, invitations.resend, "the invitation is sent again.")


@bp.post("/events/<int:event_id>/invitations/<int:role_id>/withdraw")
def withdraw_invitation(event_id: int, role_id: int) -> Page:
    return _follow_up(event_id, role_id, invitations.withdraw,
                      "the invitation is withdrawn and they are being told.")


@bp.post("/events/<int:event_id>/invitations/<int:role_id>/accept")
def accept_on_behalf(event_id: int, role_id: int) -> Page:
    return _follow_up(event_id, role_id, invitations.accept_on_behalf,
                      "recorded as accepted; a calendar invitation is on its way to them.")


@bp.post("/events/<int:event_id>/invitations/<int:role_id>/invite-again")
def invite_again(event_id: int, role_id: int) -> Page:
    return _follow_up(event_id, role_id, invitations.invite_again, "invited again.")
