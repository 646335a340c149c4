"""A guest's, facilitator's or presenter's own pages: their schedule, answering an
invitation, their feed, their join link, and "lost your link?".

Speakers have no accounts. The speaker token in the address is their key: a
wrong, old or revoked one, or a participant's manage token, gets the same
plain 404 as any unknown address.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from events import invitations, speaker_access, speaker_feedback, speakers
from events.errors import InvalidInput, NotOpen
from events.models import InvitationStatus, Person, Role, utcnow
from webapp.errors import status_of
from webapp.extensions import db, limiter
from webapp.feeds.views import calendar_response
from webapp.pipeline import Page, act, form_page
from webapp.ratelimits import email_key, limited, lost_link_email_limits, lost_link_limits
from webapp.site import absolute_url, current_site
from webapp.speaker.forms import ActionForm, AnswerForm, LostLinkForm, ZoneForm

bp = Blueprint("speaker", __name__, url_prefix="/speaker")



def _person(token: str) -> Person:
    return speaker_access.person_for_speaker_token(db.session, token)


@bp.route("", methods=["GET", "POST"])
@limited(limiter.limit(lost_link_limits, methods=["POST"]),
         limiter.limit(lost_link_email_limits, key_func=email_key, methods=["POST"]))
def lost_link() -> Page:
    form = LostLinkForm()
    # The same answer whether or not the address is known.
    return form_page(
        form, lambda: speaker_access.send_lost_speaker_link(db.session, form.email.data or ""),
        page=lambda _problem: render_template("speaker/lost_link.html", form=form),
        done=lambda _: render_template("speaker/lost_link_sent.html"),
        fallback_field="email")


@bp.get("/<token>")
def page(token: str) -> str:
    return _render_page(token, _person(token))


def _render_page(token: str, person: Person, zone_form: ZoneForm | None = None,
                 problem: str | None = None) -> str:
    zone_form = zone_form or ZoneForm(timezone=person.timezone or "")
    now = utcnow()
    return render_template(
        "speaker/page.html", person=person, token=token, problem=problem,
        schedule=speakers.schedule(db.session, current_site(), person, now),
        speaker_feedback=speaker_feedback.for_speaker(db.session, person.id, now),
        zone_form=zone_form, action=ActionForm(),
        feed_url=absolute_url("speaker.feed", token=token))


@bp.post("/<token>/zone")
def set_zone(token: str) -> Page:
    person = _person(token)
    form = ZoneForm()
    return form_page(
        form, lambda: speakers.set_own_zone(db.session, person, form.timezone.data or ""),
        page=lambda problem: _render_page(token, person, form, problem),
        done=lambda _: _back_to_page(token, "Your time zone is saved."),
        fallback_field="timezone")


def _back_to_page(token: str, message: str) -> BaseResponse:
    flash(message, "good")
    return redirect(url_for("speaker.page", token=token), code=303)


@bp.route("/<token>/invitations/<int:role_id>", methods=["GET", "POST"])
def invitation(token: str, role_id: int) -> Page:
    person = _person(token)
    role = invitations.invitation_of(db.session, person, role_id)
    form = _answer_form(role)
    return form_page(
        form, lambda: _answer(role, form),
        page=lambda problem: _render_invitation(token, role, form, problem),
        done=lambda answered: _back_to_page(token, _thanks(answered)),
        fallback_field="answer")


def _thanks(role: Role) -> str:
    if role.status == InvitationStatus.accepted:
        return (f"Thank you: you are the {role.kind.value} of “{role.event.title}”. "
                "Your details are saved, and a calendar invitation is on its way.")
    return "Thank you for letting us know. The organisers have been told."


def _answer_form(role: Role) -> AnswerForm:
    form = AnswerForm(obj=role)
    if not form.is_submitted():
        wanted = request.args.get("answer")
        form.answer.data = wanted if wanted in ("accept", "decline") else (
            "accept" if role.status.value == "accepted" else None)
        form.display_name.data = role.display_name or role.person.name
        form.timezone.data = role.person.timezone or ""
        if role.answers_showcase_prompts:
            for name in invitations.PROMPTS:
                getattr(form, name).data = getattr(role.event, name)
        form.note.data = role.note
    return form


def _answer(role: Role, form: AnswerForm) -> Role:
    if form.answer.data == "decline":
        return invitations.decline(db.session, role, form.note.data or "")
    if form.answer.data != "accept":
        raise InvalidInput("Choose whether you accept or decline.", field="answer")
    showcase = role.answers_showcase_prompts
    return invitations.accept(db.session, role, invitations.Acceptance(
        display_name=form.display_name.data or "", bio=form.bio.data or "",
        listed_publicly=form.listed_publicly.data,
        recording_consent=form.recording_consent.data if role.event.recorded else None,
        note=form.note.data or "", timezone=form.timezone.data or "",
        **{name: (getattr(form, name).data or "") if showcase else None
           for name in invitations.PROMPTS}))


def _render_invitation(token: str, role: Role, form: AnswerForm,
                       problem: str | None = None) -> str:
    now = utcnow()
    return render_template(
        "speaker/invitation.html", role=role, event=role.event, token=token, form=form,
        problem=problem, closed=invitations.closed_reason(role.event, now),
        facts=speakers.mail_facts(db.session, current_site(), role, now))


@bp.post("/<token>/revoke")
def revoke(token: str) -> str:
    person = _person(token)
    act(lambda: speaker_access.revoke_speaker_links(db.session, person))
    return render_template("participant/revoked.html")


@bp.get("/<token>/calendar.ics")
def feed(token: str) -> Response:
    person = _person(token)
    body = speakers.speaker_feed(db.session, current_site(), person)
    return calendar_response(body, "my-speaking.ics", private=True)


@bp.get("/join/<token>")
def join(token: str) -> Page:
    role = speaker_access.role_for_join_token(db.session, current_site(), token)
    try:
        room = speaker_access.meeting_room_for(role)
    except NotOpen as error:
        return render_template("participant/join_refused.html", event=role.event,
                               message=error.message), status_of(error)
    return redirect(room, code=302)
