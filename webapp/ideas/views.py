"""The ideas board at /programmes/<slug>/ideas: anyone may read it; a confirmed address
may propose, vote, comment and offer help (``events.idea_participation``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from events import (
    help_offers,
    idea_boards,
    idea_listing,
    idea_news,
    ideas,
    limits,
    verified_browsers,
)
from events.idea_boards import Idea, IdeaBoard, IdeaKind
from events.idea_participation import COMMENT, Action, Outcome
from events.idea_participation import confirm as confirm_address
from events.idea_participation import take_part as take_part_in
from events.models import utcnow
from webapp.browser_cookie import current_browser, forget, remember
from webapp.caching import cached_page
from webapp.extensions import csrf, db, limiter
from webapp.ideas import mail
from webapp.ideas.forms import ButtonForm, ProposeForm, TakePartForm
from webapp.pipeline import Page, act, form_page
from webapp.ratelimits import (
    comment_limits,
    comment_person_limits,
    limited,
    person_key,
    proposal_limits,
    proposal_person_limits,
    vote_limits,
    vote_person_limits,
)
from webapp.site import current_site

bp = Blueprint("ideas", __name__)
mail.register(bp)

BOARD = "/programmes/<slug>/ideas"
IDEA = BOARD + "/<int:idea_id>"



def _board(slug: str) -> IdeaBoard:
    return idea_boards.board_for_slug(db.session, slug)


def _cached_unless_personal(key: tuple[object, ...], render: Callable[[], str]) -> str:
    # A confirmed browser sees its own votes and budget: never a kept copy.
    if current_browser() is not None:
        return render()
    return cached_page(key, render)


@bp.get(BOARD)
def board(slug: str) -> str:
    sort = idea_listing.clean_sort(request.args.get("sort"))
    return _cached_unless_personal(("ideas", slug, sort),
                                   lambda: _render_board(_board(slug), sort))


def _render_board(board: IdeaBoard, sort: str, problem: str | None = None) -> str:
    browser = current_browser()
    page = idea_listing.board_page(db.session, board, sort,
                                   browser.person if browser is not None else None)
    return render_template("ideas/board.html", page=page, board=board,
                           sorts=idea_listing.SORTS, browser=browser, problem=problem)


@bp.get(IDEA)
def idea_page(slug: str, idea_id: int) -> str:
    return _cached_unless_personal(("idea", slug, idea_id),
                                   lambda: _render_idea(_board(slug), idea_id, TakePartForm()))


def _render_idea(board: IdeaBoard, idea_id: int, form: TakePartForm,
                 problem: str | None = None) -> str:
    browser = current_browser()
    page = idea_listing.idea_page(db.session, board, idea_id,
                                  browser.person if browser is not None else None)
    return render_template("ideas/idea.html", board=board, page=page, idea=page.listed.idea,
                           form=form, browser=browser, problem=problem)


@bp.route(BOARD + "/new", methods=["GET", "POST"])
@limited(limiter.limit(proposal_limits, methods=["POST"]),
         limiter.limit(proposal_person_limits, key_func=person_key, methods=["POST"]))
def propose(slug: str) -> Page:
    board = _board(slug)
    browser = current_browser()
    form = ProposeForm()
    if not form.is_submitted():
        open_kind = board.open_kind(utcnow())
        asked = request.args.get("kind", "")
        form.kind.data = asked if asked in IdeaKind.__members__ else (
            open_kind.value if open_kind else board.kinds()[0].value)
        form.challenge_id.data = int(request.args.get("challenge", "0") or 0) \
            if request.args.get("challenge", "").isdigit() else 0
    finalists = (ideas.finalist_challenges(db.session, board)
                 if form.kind.data == IdeaKind.idea else [])
    form.challenge_id.choices = [(0, "Choose a challenge")] + [  # type: ignore[assignment]
        (challenge.id, challenge.title) for challenge in finalists]

    def page(problem: str | None, similar: list[Idea] | None = None) -> str:
        return render_template("ideas/propose.html", board=board, form=form, browser=browser,
                               similar=similar, problem=problem)

    if form.validate_on_submit():
        similar = ideas.similar_ideas(db.session, board, form.title.data, form.body.data)
        if request.form.get("action") == "check" or (similar and not form.anyway.data):
            # Shown before posting, so people vote for an idea already there instead.
            form.anyway.data = "1"
            return page(None, similar)
    action = Action("propose", values={
        "kind": form.kind.data, "title": form.title.data, "body": form.body.data,
        "challenge_id": form.challenge_id.data, "show_full_name": bool(form.show_full_name.data)})
    return form_page(
        form, lambda: take_part_in(db.session, board, action, browser, form.name.data,
                                   form.email.data),
        page=page, done=lambda outcome: _after(board, outcome, None), fallback_field="title")


@bp.route(IDEA + "/<any(vote, unvote, help, unhelp):does>", methods=["GET", "POST"])
@limited(limiter.limit(vote_limits, methods=["POST"]),
         limiter.limit(vote_person_limits, key_func=person_key, methods=["POST"]))
def vote_or_help(slug: str, idea_id: int, does: str) -> Page:
    if request.method == "GET":
        # The board's links for readers who have not confirmed an address: their pages
        # carry no form (nor a form token), so one kept copy serves them all.
        return _ask(slug, idea_id, does)
    return _take_part(slug, idea_id, does)


@bp.post(IDEA + "/comment")
@limited(limiter.limit(comment_limits),
         limiter.limit(comment_person_limits, key_func=person_key))
def comment(slug: str, idea_id: int) -> Page:
    return _take_part(slug, idea_id, COMMENT)


def _ask(slug: str, idea_id: int, does: str) -> str:
    board = _board(slug)
    idea = ideas.idea_on_board(db.session, board, idea_id)
    form = TakePartForm()
    if request.args.get("role") in help_offers.HelpRole.__members__:
        form.role.data = request.args["role"]
    form.back.data = request.args.get("back", "")
    return render_template("ideas/who.html", board=board, idea=idea, does=does, form=form,
                           browser=current_browser(), problem=None)


def _take_part(slug: str, idea_id: int, does: str) -> Page:
    board = _board(slug)
    idea = ideas.idea_on_board(db.session, board, idea_id)
    browser = current_browser()
    form = TakePartForm()
    back = (url_for("ideas.board", slug=slug) if form.back.data == "board"
            else url_for("ideas.idea_page", slug=slug, idea_id=idea_id))
    action = Action(does, idea_id, {"role": form.role.data, "body": form.body.data})

    def who(problem: str | None) -> str:
        return render_template("ideas/who.html", board=board, idea=idea, does=does, form=form,
                               browser=browser, problem=problem)

    if browser is None and "email" not in request.form:
        # Not confirmed yet: ask who they are first; the action waits in the form.
        return who(None)
    return form_page(
        form, lambda: take_part_in(db.session, board, action, browser, form.name.data,
                                   form.email.data),
        page=who if browser is None else lambda problem: _render_idea(board, idea_id, form,
                                                                      problem),
        done=lambda outcome: _after(board, outcome, back),
        fallback_field="body" if does == COMMENT else None)


def _after(board: IdeaBoard, outcome: Outcome, back: str | None) -> Page:
    if not outcome.done:
        return render_template("ideas/check_email.html", board=board, outcome=outcome)
    flash(outcome.message, "good")
    if back is None and outcome.idea is not None:
        back = url_for("ideas.idea_page", slug=board.programme.slug, idea_id=outcome.idea.id)
    return redirect(back or url_for("ideas.board", slug=board.programme.slug), code=303)


@bp.route(BOARD + "/confirm/<token>", methods=["GET", "POST"])
def confirm(slug: str, token: str) -> Page:
    board = _board(slug)
    site = current_site()
    if request.method == "GET":
        # Following the link only shows a button: mail scanners open links too.
        check = verified_browsers.check_for_token(db.session, site, token)
        return render_template("ideas/confirm.html", board=board, check=check,
                               form=ButtonForm())
    confirmed = act(lambda: confirm_address(db.session, site, token))
    flash(f"Thank you: this browser takes part as {confirmed.browser.person.email} for the "
          "next 30 days.", "good")
    for done, message in confirmed.outcomes:
        flash(message, "good" if done else "bad")
    response = redirect(url_for("ideas.board", slug=confirmed.board.programme.slug), code=303)
    return remember(response, confirmed.browser)


@bp.post(BOARD + "/forget")
def forget_browser(slug: str) -> Response:
    browser = current_browser()
    if browser is not None:
        act(lambda: verified_browsers.revoke(db.session, browser))
        flash(f"This browser no longer takes part as {browser.person.email}.", "good")
    return forget(redirect(url_for("ideas.board", slug=slug), code=303))


@bp.get(BOARD + "/similar")
def similar(slug: str) -> Response:
    """Ideas like the one being typed, for the proposal form's script (the form itself
    shows them without it)."""
    board = _board(slug)
    title = request.args.get("title", "")[:limits.IDEA_TITLE_MAX]
    found = ideas.similar_ideas(db.session, board, title)
    return jsonify({"similar": [
        {"title": idea.title, "kind": idea.kind.value, "status": idea.status.label,
         "url": url_for("ideas.idea_page", slug=slug, idea_id=idea.id)} for idea in found]})


@bp.route("/ideas/stop/<token>", methods=["GET", "POST"])
@csrf.exempt
def stop_news(token: str) -> Page:
    """One click stops news of ideas (RFC 8058: mail clients POST here with no form token;
    the signed link is the proof)."""
    person = idea_news.person_for_unsubscribe_token(db.session, current_site(), token)
    if request.method == "POST":
        act(lambda: idea_news.stop_news(db.session, person))
        return render_template("ideas/stopped.html")
    return render_template("ideas/stop.html", form=ButtonForm())
