"""A participant's own links: the personal join link and the "manage your places" page.

Participants have no accounts. The manage token in the address is their key:
a wrong, old or revoked one gets the same plain 404 as any unknown address.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for

from events import access, booking, forgetting, link_replacement
from events.discussions import meeting_calendar
from events.discussions.signing_up import sign_ups_of
from events.errors import NotOpen
from events.models import Person, RegistrationStatus, utcnow
from webapp.errors import status_of
from webapp.extensions import db, limiter
from webapp.feeds.views import calendar_response
from webapp.participant.forms import LostLinkForm, PlaceForm
from webapp.pipeline import Page, act, button, form_page
from webapp.ratelimits import email_key, limited, lost_link_email_limits, lost_link_limits
from webapp.site import absolute_url, current_site

bp = Blueprint("participant", __name__)



@bp.get("/join/<token>")
def join(token: str) -> Page:
    registration = access.registration_for_join_token(db.session, current_site(), token)
    try:
        room = access.meeting_room_for(registration)
    except NotOpen as error:
        return render_template("participant/join_refused.html", event=registration.event,
                               message=error.message), status_of(error)
    act(lambda: access.record_join(db.session, registration))
    return redirect(room, code=302)


@bp.route("/me", methods=["GET", "POST"])
@limited(limiter.limit(lost_link_limits, methods=["POST"]),
         limiter.limit(lost_link_email_limits, key_func=email_key, methods=["POST"]))
def lost_link() -> Page:
    form = LostLinkForm()
    # The same answer whether or not the address is known.
    return form_page(form, lambda: access.send_lost_link(db.session, form.email.data or ""),
                     page=lambda _problem: render_template("participant/lost_link.html",
                                                           form=form),
                     done=lambda _: render_template("participant/lost_link_sent.html"),
                     fallback_field="email")


def _person(token: str) -> Person:
    return access.person_for_manage_token(db.session, token)


@bp.get("/me/<token>")
def my_places(token: str) -> str:
    return _render_places(token, _person(token))


def _render_places(token: str, person: Person, problem: str | None = None) -> str:
    site = current_site()
    now = utcnow()
    feed_url = absolute_url("participant.my_feed", token=token)
    return render_template("participant/places.html", person=person, token=token,
                           places=access.my_places(db.session, site, person, now),
                           form=PlaceForm(), problem=problem, feed_url=feed_url, now=now,
                           discussions=sign_ups_of(db.session, person.id))


@bp.post("/me/<token>/places/<int:registration_id>/cancel")
def cancel_place(token: str, registration_id: int) -> Page:
    person = _person(token)
    place = access.place_of(db.session, person, registration_id)
    was_waiting = place.status == RegistrationStatus.waitlisted
    return button(
        lambda: booking.cancel(db.session, place.id),
        done=lambda _: ("You have left the waitlist." if was_waiting else
                        "Your place is cancelled. A cancellation for your calendar is on its way."),
        back=url_for("participant.my_places", token=token),
        page=lambda problem: _render_places(token, person, problem))


@bp.post("/me/<token>/places/<int:registration_id>/rejoin")
def rejoin_place(token: str, registration_id: int) -> Page:
    person = _person(token)
    place = access.place_of(db.session, person, registration_id)
    return button(
        lambda: booking.rejoin(db.session, place.id),
        done=lambda result: (
            "You have a seat again. An invitation is on its way."
            if result.status == RegistrationStatus.confirmed
            else f"The event is full, so you are number {result.position} on the waitlist."),
        back=url_for("participant.my_places", token=token),
        page=lambda problem: _render_places(token, person, problem))


@bp.post("/me/<token>/revoke")
def revoke(token: str) -> str:
    person = _person(token)
    act(lambda: link_replacement.replace_links(db.session, person))
    return render_template("participant/revoked.html")


@bp.route("/me/<token>/forget", methods=["GET", "POST"])
def forget_me(token: str) -> Page:
    person = _person(token)
    form = PlaceForm()
    return form_page(form, lambda: forgetting.forget(db.session, person),
                     page=lambda problem: render_template("participant/forget.html", form=form,
                                                          token=token, problem=problem),
                     done=lambda _: render_template("participant/forgotten.html"))


@bp.get("/me/<token>/calendar.ics")
def my_feed(token: str) -> Response:
    person = _person(token)
    # Their places, and their discussion groups' meetings as the invitation's series.
    body = meeting_calendar.personal_feed(db.session, current_site(), person)
    return calendar_response(body, "my-mingle.ics", private=True)
