"""A member's own group page (from their ``/me/<token>``), leaving the group, and the
group join link. The manage token is the key, as for the rest of ``/me``."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from events import access
from events.discussions import group_page, membership
from events.discussions.models import SignUp
from events.errors import NotFound, NotOpen
from events.models import utcnow
from webapp.errors import status_of
from webapp.extensions import db
from webapp.participant.forms import PlaceForm
from webapp.participant.views import bp
from webapp.pipeline import Page, act, button
from webapp.site import current_site


def _sign_up(token: str, discussion_id: int) -> SignUp:
    person = access.person_for_manage_token(db.session, token)
    return group_page.sign_up_of(db.session, person, discussion_id)


def _render(token: str, sign_up: SignUp, problem: str | None = None) -> str:
    view = group_page.group_view(db.session, current_site(), sign_up, utcnow())
    return render_template("participant/discussion.html", token=token, view=view,
                           discussion=sign_up.discussion, form=PlaceForm(), problem=problem)


@bp.get("/me/<token>/discussions/<int:discussion_id>")
def my_discussion(token: str, discussion_id: int) -> str:
    return _render(token, _sign_up(token, discussion_id))


@bp.post("/me/<token>/discussions/<int:discussion_id>/leave")
def leave_group(token: str, discussion_id: int) -> Page:
    sign_up = _sign_up(token, discussion_id)
    member = membership.membership_of(db.session, sign_up)
    if member is None:
        raise NotFound("You are not in a group of this discussion.")
    return button(lambda: membership.leave(db.session, member),
                  done=lambda _: "You have left your group. A cancellation for your calendar "
                                 "is on its way.",
                  back=url_for("participant.my_discussion", token=token,
                               discussion_id=discussion_id),
                  page=lambda problem: _render(token, sign_up, problem))


@bp.get("/groups/join/<token>")
def group_join(token: str) -> Page:
    member = group_page.member_for_join_token(db.session, current_site(), token)
    try:
        room = act(lambda: group_page.meeting_room_for(db.session, member))
    except NotOpen as error:
        return render_template("participant/join_refused.html", event=member.sign_up.discussion
                               .kickoff, message=error.message), status_of(error)
    return redirect(room, code=302)
